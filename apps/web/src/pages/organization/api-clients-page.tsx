import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { call } from '../../api/client';
import { keys, useApiClients } from '../../api/queries';
import type { ApiClientView, Role } from '../../api/types';
import { Badge } from '../../components/badges';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { PageHeader } from '../../components/page-header';
import { InlineSubmit, RoleField, TextField } from '../../components/fields';
import { EmptyState, ErrorMessage } from '../../components/states';
import { applyFieldErrors } from '../../lib/form-errors';
import { formatRelative } from '../../lib/format';
import { CopyButton } from './users-page';
import { QueryView } from '../../components/query-view';

interface ClientForm {
  name: string;
  role: Role;
}

/** Service accounts for scripts and CI: the secret is shown once, at creation. */
export function ApiClientsPage() {
  const clients = useApiClients();
  const queryClient = useQueryClient();
  const form = useForm<ClientForm>({ defaultValues: { name: '', role: 'member' } });
  const [revoking, setRevoking] = useState<ApiClientView | null>(null);
  const create = useMutation({
    mutationFn: (values: ClientForm) => call(api.organization.createApiClient, { body: values }),
    onSuccess: async () => {
      form.reset();
      await queryClient.invalidateQueries({ queryKey: keys.apiClients });
    },
    onError: (error) => applyFieldErrors(error, form.setError, ['name', 'role']),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call(api.organization.revokeApiClient, { params: { id } }),
    onSuccess: () => setRevoking(null),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.apiClients }),
  });
  const role = useWatch({ control: form.control, name: 'role' });
  const { errors } = form.formState;
  return (
    <>
      <PageHeader title="API clients" description="Credentials for scripts and CI to call the Mooring API." />
      <div className="stack">
        <section className="card" aria-labelledby="create-client-heading">
          <div className="card-header">
            <h2 id="create-client-heading">New API client</h2>
          </div>
          <form className="card-body stack" noValidate onSubmit={form.handleSubmit((values) => create.mutate(values))}>
            <div className="row" style={{ alignItems: 'flex-start' }}>
              <TextField
                id="client-name"
                label="Name"
                error={errors.name?.message}
                registration={form.register('name', { validate: (value) => (value.trim() ? true : 'is required') })}
              />
              <RoleField id="client-role" role={role} registration={form.register('role')} />
              <InlineSubmit busy={create.isPending}>Create</InlineSubmit>
            </div>
            {create.isError && !Object.keys(errors).length ? <ErrorMessage error={create.error} /> : null}
            {create.data ? (
              <div className="banner warning" role="status" data-testid="client-secret">
                <div style={{ minWidth: 0, flex: 1 }}>
                  <strong>Copy the secret of {create.data.apiClient.name} now</strong>
                  <p>Mooring keeps only its hash: it is shown this once.</p>
                  <div className="secret-box mono">clientId {create.data.apiClient.clientId}</div>
                  <div className="secret-box mono" style={{ marginTop: 6 }}>
                    clientSecret {create.data.clientSecret}
                  </div>
                </div>
                <div className="actions">
                  <CopyButton value={create.data.clientSecret} />
                  <button type="button" onClick={() => create.reset()}>
                    Done
                  </button>
                </div>
              </div>
            ) : null}
          </form>
        </section>
        <section className="card" aria-labelledby="clients-heading">
          <div className="card-header">
            <h2 id="clients-heading">API clients</h2>
          </div>
          <QueryView
            query={clients}
            loading="Loading API clients…"
            isEmpty={(data) => !data.apiClients.length}
            empty={<EmptyState title="No API clients yet" />}
          >
            {(data) => (
              <div className="table-wrap">
                <table data-testid="api-clients-table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Client ID</th>
                      <th scope="col">Role</th>
                      <th scope="col">Last used</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.apiClients.map((client) => (
                      <tr key={client.id}>
                        <td>{client.name}</td>
                        <td className="mono">{client.clientId}</td>
                        <td>{client.role}</td>
                        <td>{formatRelative(client.lastUsedAt)}</td>
                        <td>
                          {client.revokedAt ? (
                            <Badge tone="neutral">Revoked</Badge>
                          ) : (
                            <button type="button" onClick={() => setRevoking(client)}>
                              Revoke…
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </QueryView>
        </section>
      </div>
      <ConfirmDialog
        open={revoking !== null}
        danger
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke"
        busy={revoke.isPending}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        <p style={{ margin: 0 }}>Scripts using it stop working within 15 seconds. This cannot be undone.</p>
        {revoke.isError ? <ErrorMessage error={revoke.error} /> : null}
      </ConfirmDialog>
    </>
  );
}
