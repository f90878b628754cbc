import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { call } from '../../api/client';
import { useSession } from '../../app/session';
import { PageHeader } from '../../components/page-header';
import { ErrorMessage } from '../../components/states';
import { ROLE_HELP } from '../../components/role-select';

export function ProfilePage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const everywhere = useMutation({
    mutationFn: () => call(api.auth.signOutEverywhere),
    onSuccess: () => {
      queryClient.clear();
      void navigate('/sign-in', { replace: true });
    },
  });
  return (
    <>
      <PageHeader title="Your account" />
      <div className="stack" style={{ maxWidth: 720 }}>
        <section className="card" aria-labelledby="me-heading">
          <div className="card-header">
            <h2 id="me-heading">You</h2>
          </div>
          <div className="card-body">
            <dl className="kv">
              <dt>Email</dt>
              <dd>{session.user?.email ?? '—'}</dd>
              <dt>Organization</dt>
              <dd>{session.organization.name}</dd>
              <dt>Role</dt>
              <dd>
                {session.principal.role} <span className="muted">({ROLE_HELP[session.principal.role]})</span>
              </dd>
            </dl>
          </div>
        </section>
        <section className="card" aria-labelledby="sessions-heading">
          <div className="card-header">
            <h2 id="sessions-heading">Sessions</h2>
          </div>
          <div className="card-body row" style={{ justifyContent: 'space-between' }}>
            <p className="muted" style={{ margin: 0 }}>
              Sign out of every browser where you are signed in, including this one.
            </p>
            <button type="button" onClick={() => everywhere.mutate()} disabled={everywhere.isPending}>
              Sign out everywhere
            </button>
          </div>
          {everywhere.isError ? (
            <div className="card-body">
              <ErrorMessage error={everywhere.error} />
            </div>
          ) : null}
        </section>
      </div>
    </>
  );
}
