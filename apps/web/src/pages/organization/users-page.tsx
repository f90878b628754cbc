import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { call } from '../../api/client';
import { keys, useInvitations, useUsers } from '../../api/queries';
import type { Role, UserView } from '../../api/types';
import { useSession } from '../../app/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { PageHeader } from '../../components/page-header';
import { InlineSubmit, RoleField, TextField } from '../../components/fields';
import { ROLES } from '../../components/role-select';
import { EmptyState, ErrorMessage } from '../../components/states';
import { applyFieldErrors } from '../../lib/form-errors';
import { formatDateTime, formatRelative } from '../../lib/format';
import { QueryView } from '../../components/query-view';

export function UsersPage() {
  return (
    <>
      <PageHeader title="Users" description="People who sign in to this organization, and invitations not yet accepted." />
      <div className="stack">
        <Invite />
        <Users />
        <Invitations />
      </div>
    </>
  );
}

function Users() {
  const users = useUsers();
  const session = useSession();
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState<UserView | null>(null);
  const changeRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) =>
      call(api.organization.updateUser, { params: { id }, body: { role } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.users }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => call(api.organization.removeUser, { params: { id } }),
    onSuccess: () => setRemoving(null),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.users }),
  });
  return (
    <section className="card" aria-labelledby="users-heading">
      <div className="card-header">
        <h2 id="users-heading">Members</h2>
      </div>
      {changeRole.isError ? (
        <div className="card-body">
          <ErrorMessage error={changeRole.error} />
        </div>
      ) : null}
      <QueryView
        query={users}
        loading="Loading users…"
        isEmpty={(data) => !data.users.length}
        empty={<EmptyState title="No users yet" />}
      >
        {(data) => (
          <div className="table-wrap">
            <table data-testid="users-table">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.users.map((user) => {
                  const self = user.id === session.user?.id;
                  return (
                    <tr key={user.id}>
                      <td>
                        {user.name || user.email}
                        {user.name ? <div className="muted small">{user.email}</div> : null}
                      </td>
                      <td>
                        <select
                          aria-label={`Role of ${user.email}`}
                          value={user.role}
                          disabled={self || changeRole.isPending}
                          onChange={(event) => changeRole.mutate({ id: user.id, role: event.target.value as Role })}
                        >
                          {ROLES.map((role) => (
                            <option key={role} value={role}>
                              {role}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>{formatRelative(user.lastSignInAt ?? null)}</td>
                      <td>
                        {!self ? (
                          <button type="button" onClick={() => setRemoving(user)}>
                            Remove…
                          </button>
                        ) : (
                          <span className="muted small">You</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
      <ConfirmDialog
        open={removing !== null}
        danger
        title={`Remove ${removing?.email ?? ''}?`}
        confirmLabel="Remove"
        busy={remove.isPending}
        onCancel={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate(removing.id)}
      >
        <p style={{ margin: 0 }}>They are signed out everywhere and can no longer sign in to this organization.</p>
        {remove.isError ? <ErrorMessage error={remove.error} /> : null}
      </ConfirmDialog>
    </section>
  );
}

interface InviteForm {
  email: string;
  role: Role;
}

function Invite() {
  const queryClient = useQueryClient();
  const form = useForm<InviteForm>({ defaultValues: { email: '', role: 'member' } });
  const invite = useMutation({
    mutationFn: (values: InviteForm) => call(api.organization.createInvitation, { body: values }),
    onSuccess: async () => {
      form.reset();
      await queryClient.invalidateQueries({ queryKey: keys.invitations });
    },
    onError: (error) => applyFieldErrors(error, form.setError, ['email', 'role']),
  });
  const role = useWatch({ control: form.control, name: 'role' });
  const { errors } = form.formState;
  return (
    <section className="card" aria-labelledby="invite-heading">
      <div className="card-header">
        <h2 id="invite-heading">Invite someone</h2>
      </div>
      <form className="card-body stack" noValidate onSubmit={form.handleSubmit((values) => invite.mutate(values))}>
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <TextField
            id="invite-email"
            label="Email"
            type="email"
            autoComplete="off"
            error={errors.email?.message}
            registration={form.register('email', {
              validate: (value) => (/^\S+@\S+\.\S+$/.test(value.trim()) ? true : 'is not an email address'),
            })}
          />
          <RoleField id="invite-role" role={role} registration={form.register('role')} />
          <InlineSubmit busy={invite.isPending}>{invite.isPending ? 'Inviting…' : 'Create invitation'}</InlineSubmit>
        </div>
        {invite.isError && !Object.keys(errors).length ? <ErrorMessage error={invite.error} /> : null}
        {invite.data ? (
          <div className="banner success" role="status" data-testid="invitation-link">
            <div style={{ minWidth: 0, flex: 1 }}>
              <strong>Invitation for {invite.data.invitation.email}</strong>
              <p>
                Send them this single-use link; it is shown only now and expires{' '}
                {formatRelative(invite.data.invitation.expiresAt)}.
              </p>
              <div className="secret-box mono">{invite.data.inviteUrl}</div>
            </div>
            <CopyButton value={invite.data.inviteUrl} />
          </div>
        ) : null}
      </form>
    </section>
  );
}

function Invitations() {
  const invitations = useInvitations();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => call(api.organization.revokeInvitation, { params: { id } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.invitations }),
  });
  return (
    <section className="card" aria-labelledby="invitations-heading">
      <div className="card-header">
        <h2 id="invitations-heading">Pending invitations</h2>
      </div>
      {revoke.isError ? (
        <div className="card-body">
          <ErrorMessage error={revoke.error} />
        </div>
      ) : null}
      <QueryView
        query={invitations}
        loading="Loading invitations…"
        isEmpty={(data) => !data.invitations.length}
        empty={<EmptyState title="No pending invitations" />}
      >
        {(data) => (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.invitations.map((invitation) => (
                  <tr key={invitation.id}>
                    <td>{invitation.email}</td>
                    <td>{invitation.role}</td>
                    <td title={formatDateTime(invitation.expiresAt)}>{formatRelative(invitation.expiresAt)}</td>
                    <td>
                      <button type="button" onClick={() => revoke.mutate(invitation.id)} disabled={revoke.isPending}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </section>
  );
}

export function CopyButton({ value }: { value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => setCopied(true));
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
