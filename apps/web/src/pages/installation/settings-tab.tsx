import { api, type BodyOf } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { call } from '../../api/client';
import { keys } from '../../api/queries';
import type { InstallationView } from '../../api/types';
import { useHasRole } from '../../app/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { TextField } from '../../components/fields';
import { ErrorMessage } from '../../components/states';
import { applyFieldErrors } from '../../lib/form-errors';
import { formatDateTime, formatValue } from '../../lib/format';

/** Rename, new credentials, disable or enable, delete (with or without its entities). */
export function SettingsTab({ installation, reconnect }: { installation: InstallationView; reconnect: string }) {
  const isAdmin = useHasRole('admin');
  return (
    <div className="stack">
      <Details installation={installation} />
      {isAdmin ? (
        <>
          <Rename installation={installation} />
          <Credentials installation={installation} reconnect={reconnect} />
          <DeletionSafety installation={installation} />
          <EnableDisable installation={installation} />
          <Delete installation={installation} />
        </>
      ) : (
        <p className="muted">Only admins can change or delete a data source.</p>
      )}
    </div>
  );
}

function Details({ installation }: { installation: InstallationView }) {
  const settings = Object.entries(installation.settings);
  const secrets = Object.entries(installation.secrets);
  const app = installation.connectedThrough;
  return (
    <section className="card" aria-labelledby="details-heading" data-testid="settings-connection">
      <div className="card-header">
        <h2 id="details-heading">Connection</h2>
      </div>
      <div className="card-body">
        <dl className="kv">
          <dt>Authentication</dt>
          {app ? (
            <>
              <dd>Connected through Mooring’s GitHub App</dd>
              <dt>GitHub account</dt>
              <dd>
                <span className="mono">{app.account}</span> ({app.accountType.toLowerCase()})
              </dd>
              <FragmentRow label="GitHub installation id" value={app.appInstallationId} />
            </>
          ) : (
            <>
              <dd>{installation.authMethod === 'oauth2' ? 'OAuth' : 'Token and settings'}</dd>
              {settings.map(([name, value]) => (
                <FragmentRow key={name} label={name} value={formatValue(value)} />
              ))}
              {secrets.map(([name, secret]) => (
                <FragmentRow key={name} label={name} value={secret.set ? `•••• ${secret.last4 ?? ''}` : 'not set'} />
              ))}
            </>
          )}
          <dt>Credentials updated</dt>
          <dd>{formatDateTime(installation.credentialsUpdatedAt)}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(installation.createdAt)}</dd>
        </dl>
      </div>
    </section>
  );
}

function FragmentRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="mono">{value}</dd>
    </>
  );
}

function useUpdate(installation: InstallationView) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: BodyOf<typeof api.installations.update>) =>
      call(api.installations.update, { params: { id: installation.id }, body: changes }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.installation(installation.id) });
      await queryClient.invalidateQueries({ queryKey: keys.installations });
    },
  });
}

function Rename({ installation }: { installation: InstallationView }) {
  const form = useForm<{ name: string }>({ values: { name: installation.name } });
  const update = useUpdate(installation);
  const { errors } = form.formState;
  return (
    <section className="card" aria-labelledby="rename-heading">
      <div className="card-header">
        <h2 id="rename-heading">Name</h2>
      </div>
      <form
        className="card-body form"
        noValidate
        onSubmit={form.handleSubmit((values) =>
          update.mutate({ name: values.name }, { onError: (error) => applyFieldErrors(error, form.setError, ['name']) }),
        )}
      >
        <TextField
          id="rename"
          label="Name"
          error={errors.name?.message}
          registration={form.register('name', { validate: (value) => (value.trim() ? true : 'is required') })}
        />
        {update.isError && !errors.name ? <ErrorMessage error={update.error} /> : null}
        <div className="row">
          <button type="submit" className="primary" disabled={update.isPending || !form.formState.isDirty}>
            Rename
          </button>
          {update.isSuccess ? (
            <span className="badge success" role="status">
              Saved
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}

/** maxFetchDrop as a percentage: how far a resource's fetched count may fall before deletion waits. */
function DeletionSafety({ installation }: { installation: InstallationView }) {
  const form = useForm<{ percent: string }>({ values: { percent: String(Math.round(installation.maxFetchDrop * 100)) } });
  const update = useUpdate(installation);
  const { errors } = form.formState;
  return (
    <section className="card" aria-labelledby="deletion-safety-heading">
      <div className="card-header">
        <h2 id="deletion-safety-heading">Deletion safety</h2>
      </div>
      <form
        className="card-body form"
        noValidate
        onSubmit={form.handleSubmit((values) => update.mutate({ maxFetchDrop: Number(values.percent) / 100 }))}
      >
        <TextField
          id="max-fetch-drop"
          label="Largest drop in fetched items that still deletes (%)"
          hint="When a resource fetches fewer items than its last clean run by more than this, nothing is deleted until you confirm the drop on the sync-status tab."
          type="number"
          min={0}
          max={100}
          inputMode="numeric"
          error={errors.percent?.message}
          registration={form.register('percent', {
            validate: (value) =>
              /^\d+(\.\d+)?$/.test(value.trim()) && Number(value) <= 100 ? true : 'must be a number from 0 to 100',
          })}
        />
        {update.isError && !errors.percent ? <ErrorMessage error={update.error} /> : null}
        <div className="row">
          <button type="submit" className="primary" disabled={update.isPending || !form.formState.isDirty}>
            Save
          </button>
          {update.isSuccess ? (
            <span className="badge success" role="status">
              Saved
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}

function Credentials({ installation, reconnect }: { installation: InstallationView; reconnect: string }) {
  const app = installation.connectedThrough;
  if (app) {
    // The App's key is the service's and its repositories are chosen on GitHub: nothing here to change or rotate.
    return (
      <section className="card" aria-labelledby="credentials-heading" data-testid="settings-credentials">
        <div className="card-header">
          <h2 id="credentials-heading">Credentials</h2>
        </div>
        <div className="card-body row" style={{ justifyContent: 'space-between' }}>
          <p style={{ margin: 0 }} className="muted">
            Read-only: Mooring’s GitHub App holds these credentials, so there is no token or key to change here. Which
            repositories it reads is chosen on GitHub by an owner of {app.account}.
          </p>
          {app.manageUrl ? (
            <a className="button" href={app.manageUrl} target="_blank" rel="noopener noreferrer">
              Manage repository access on GitHub
            </a>
          ) : null}
        </div>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="credentials-heading">
      <div className="card-header">
        <h2 id="credentials-heading">Credentials</h2>
      </div>
      <div className="card-body row" style={{ justifyContent: 'space-between' }}>
        <p style={{ margin: 0 }} className="muted">
          {installation.authMethod === 'oauth2'
            ? 'Connect again through the provider to grant fresh access.'
            : 'Rotate the token: the new one is verified with the tool before it replaces the old one.'}
        </p>
        <Link className="button" to={reconnect}>
          {installation.authMethod === 'oauth2' ? 'Reconnect' : 'Rotate token'}
        </Link>
      </div>
    </section>
  );
}

function EnableDisable({ installation }: { installation: InstallationView }) {
  const [open, setOpen] = useState(false);
  const update = useUpdate(installation);
  const enabling = !installation.enabled;
  return (
    <section className="card" aria-labelledby="enable-heading">
      <div className="card-header">
        <h2 id="enable-heading">{enabling ? 'Enable' : 'Disable'}</h2>
      </div>
      <div className="card-body row" style={{ justifyContent: 'space-between' }}>
        <p style={{ margin: 0 }} className="muted">
          {enabling
            ? 'Resume scheduled syncs and live updates.'
            : 'Stop syncing without deleting anything; entities stay in the catalog.'}
        </p>
        <button type="button" onClick={() => setOpen(true)}>
          {enabling ? 'Enable…' : 'Disable…'}
        </button>
      </div>
      {update.isError ? (
        <div className="card-body">
          <ErrorMessage error={update.error} />
        </div>
      ) : null}
      <ConfirmDialog
        open={open}
        title={enabling ? `Enable ${installation.name}?` : `Disable ${installation.name}?`}
        confirmLabel={enabling ? 'Enable' : 'Disable'}
        busy={update.isPending}
        onCancel={() => setOpen(false)}
        onConfirm={() => update.mutate({ enabled: enabling }, { onSettled: () => setOpen(false) })}
      >
        <p style={{ margin: 0 }}>
          {enabling
            ? 'Its schedule resumes and a sync starts at the next due time.'
            : 'Scheduled syncs stop until you enable it again.'}
        </p>
      </ConfirmDialog>
    </section>
  );
}

function Delete({ installation }: { installation: InstallationView }) {
  const [open, setOpen] = useState(false);
  const [withEntities, setWithEntities] = useState(false);
  const [typed, setTyped] = useState('');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () =>
      call(api.installations.delete, {
        params: { id: installation.id },
        query: { deleteEntities: withEntities ? 'true' : 'false' },
      }),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: keys.installation(installation.id) });
      await queryClient.invalidateQueries({ queryKey: keys.installations });
      void navigate('/data-sources', { replace: true });
    },
  });
  const total = installation.entities?.total ?? 0;
  return (
    <section className="card" aria-labelledby="delete-heading" style={{ borderColor: '#f5c2bd' }}>
      <div className="card-header">
        <h2 id="delete-heading">Delete data source</h2>
      </div>
      <div className="card-body row" style={{ justifyContent: 'space-between' }}>
        <p style={{ margin: 0 }} className="muted">
          Removes its credentials, schedule and history. Its entities stay unless you choose to delete them too.
        </p>
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          Delete…
        </button>
      </div>
      <ConfirmDialog
        open={open}
        danger
        title={`Delete ${installation.name}?`}
        confirmLabel={withEntities ? 'Delete with its entities' : 'Delete'}
        busy={remove.isPending}
        confirmDisabled={typed !== installation.name}
        onCancel={() => {
          setOpen(false);
          setTyped('');
          remove.reset();
        }}
        onConfirm={() => remove.mutate()}
      >
        <label className="checkbox">
          <input type="checkbox" checked={withEntities} onChange={(event) => setWithEntities(event.target.checked)} />
          Also delete the {total.toLocaleString('en')} entities it wrote
        </label>
        <div className="field">
          <label htmlFor="confirm-delete-name">
            Type <strong>{installation.name}</strong> to confirm
          </label>
          <input id="confirm-delete-name" value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
        </div>
        {remove.isError ? <ErrorMessage error={remove.error} /> : null}
      </ConfirmDialog>
    </section>
  );
}
