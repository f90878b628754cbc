import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { call } from '../api/client';
import { ErrorMessage } from '../components/states';
import { RoleGate, useSession } from './session';

const ROLE_LABELS = { member: 'Member', moderator: 'Moderator', admin: 'Admin' } as const;

export function Layout() {
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => call(api.auth.signOut),
    onSuccess: () => {
      queryClient.clear();
      void navigate('/sign-in', { replace: true });
    },
  });

  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            M
          </span>
          Mooring
        </div>
        <nav className="nav" aria-label="Main">
          <span className="nav-heading">Data</span>
          <NavLink to="/data-sources">Data sources</NavLink>
          <NavLink to="/integrations">Integrations</NavLink>
          <NavLink to="/catalog">Catalog</NavLink>
          <span className="nav-heading">Organization</span>
          <RoleGate role="admin">
            <NavLink to="/organization/users">Users</NavLink>
            <NavLink to="/organization/api-clients">API clients</NavLink>
            <NavLink to="/organization/audit-log">Audit log</NavLink>
          </RoleGate>
          <NavLink to="/organization/profile">Your account</NavLink>
        </nav>
        <div className="sidebar-footer">
          <div>
            <div className="who" data-testid="current-user">
              {session.user?.email ?? session.principal.name}
            </div>
            <div className="org">
              {session.organization.name} · {ROLE_LABELS[session.principal.role]}
            </div>
          </div>
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            Sign out
          </button>
          {signOut.isError ? <ErrorMessage error={signOut.error} compact /> : null}
        </div>
      </aside>
      <main className="main" id="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
