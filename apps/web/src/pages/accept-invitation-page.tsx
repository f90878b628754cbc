import { api } from '@mooring/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { call } from '../api/client';
import { TextField } from '../components/fields';
import { ErrorMessage, Loading } from '../components/states';
import { applyFieldErrors } from '../lib/form-errors';

interface AcceptForm {
  name: string;
  password: string;
}

const MIN_PASSWORD = 10;

/** The link carries its token in the fragment (`#token=…`), which browsers never send to a server. */
function tokenFromLink(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

/** Where an invitation link lands: choose a name and password, then you are signed in. */
export function AcceptInvitationPage() {
  const [token] = useState(tokenFromLink);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => call(api.invitations.lookup, { body: { token } }),
    enabled: token !== '',
    retry: false,
  });
  const form = useForm<AcceptForm>({ defaultValues: { name: '', password: '' } });
  const accept = useMutation({
    mutationFn: (values: AcceptForm) => call(api.invitations.accept, { body: { token, ...values } }),
    onSuccess: () => {
      queryClient.clear();
      void navigate('/data-sources', { replace: true });
    },
    onError: (error) => applyFieldErrors(error, form.setError, ['name', 'password']),
  });
  const { errors } = form.formState;
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>Join Mooring</h1>
        {!token ? (
          <p className="field-error" role="alert">
            This link has no invitation in it: open the link from your invitation email again.
          </p>
        ) : invitation.isPending ? (
          <Loading label="Checking the invitation…" />
        ) : invitation.isError ? (
          <ErrorMessage error={invitation.error} />
        ) : (
          <>
            <p className="muted" style={{ margin: 0 }}>
              {invitation.data.email} is invited to <strong>{invitation.data.organization.name}</strong> as {invitation.data.role}
              .
            </p>
            {accept.isError && !Object.keys(errors).length ? <ErrorMessage error={accept.error} /> : null}
            <form className="form" noValidate onSubmit={form.handleSubmit((values) => accept.mutate(values))}>
              <TextField
                id="accept-name"
                label="Your name"
                autoComplete="name"
                error={errors.name?.message}
                registration={form.register('name', { validate: (value) => (value.trim() ? true : 'is required') })}
              />
              <TextField
                id="accept-password"
                label="Password"
                type="password"
                autoComplete="new-password"
                hint={`At least ${MIN_PASSWORD} characters.`}
                error={errors.password?.message}
                registration={form.register('password', {
                  validate: (value) => (value.length >= MIN_PASSWORD ? true : `must have at least ${MIN_PASSWORD} characters`),
                })}
              />
              <button type="submit" className="primary" disabled={accept.isPending}>
                {accept.isPending ? 'Joining…' : 'Join and sign in'}
              </button>
            </form>
          </>
        )}
      </div>
    </main>
  );
}
