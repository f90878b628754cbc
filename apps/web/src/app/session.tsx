import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { isApiError, whenUnauthenticated } from '../api/client';
import { keys, useSessionQuery } from '../api/queries';
import type { MeView, Role } from '../api/types';
import { ErrorState, Loading } from '../components/states';

const RANK: Readonly<Record<Role, number>> = { member: 0, moderator: 1, admin: 2 };

const SessionContext = createContext<MeView | null>(null);

/** The signed-in person; only inside <RequireSession>. */
export function useSession(): MeView {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <RequireSession>');
  return session;
}

/** Whether the signed-in person's role is at least `role` (member < moderator < admin). */
export function useHasRole(role: Role): boolean {
  return RANK[useSession().principal.role] >= RANK[role];
}

/** Renders its children only for `role` and above: the api refuses the rest anyway. */
export function RoleGate({ role, children }: { role: Role; children: ReactNode }) {
  return useHasRole(role) ? <>{children}</> : null;
}

/** Loads the session; without one, sends the browser to sign-in and back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSessionQuery();
  const queryClient = useQueryClient();
  const location = useLocation();

  useEffect(() => {
    whenUnauthenticated(() => void queryClient.invalidateQueries({ queryKey: keys.session }));
  }, [queryClient]);

  if (session.isPending) return <Loading label="Loading your organization…" />;
  if (session.isError) {
    if (isApiError(session.error) && session.error.status === 401) {
      const next = `${location.pathname}${location.search}`;
      return <Navigate to={`/sign-in${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`} replace />;
    }
    return (
      <main className="main">
        <ErrorState error={session.error} onRetry={() => void session.refetch()} />
      </main>
    );
  }
  return <SessionContext.Provider value={session.data}>{children}</SessionContext.Provider>;
}
