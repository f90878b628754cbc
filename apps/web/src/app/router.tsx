import { Navigate, createBrowserRouter, type LoaderFunctionArgs } from 'react-router';
import { installationQuery, installationsQuery, integrationsQuery, syncStatusQuery } from '../api/queries';
import { AcceptInvitationPage } from '../pages/accept-invitation-page';
import { BlueprintsPage } from '../pages/catalog/blueprints-page';
import { EntitiesPage } from '../pages/catalog/entities-page';
import { EntityPage } from '../pages/catalog/entity-page';
import { ConnectPage } from '../pages/connect/connect-page';
import { ConnectReturnPage } from '../pages/connect/connect-return-page';
import { DataSourcesPage } from '../pages/data-sources-page';
import { InstallationPage } from '../pages/installation/installation-page';
import { IntegrationsPage } from '../pages/integrations-page';
import { NotFoundPage } from '../pages/not-found-page';
import { ApiClientsPage } from '../pages/organization/api-clients-page';
import { AuditLogPage } from '../pages/organization/audit-log-page';
import { ProfilePage } from '../pages/organization/profile-page';
import { UsersPage } from '../pages/organization/users-page';
import { SignInPage } from '../pages/sign-in-page';
import { Layout } from './layout';
import { queryClient } from './query-client';
import { RequireRole } from './require-role';
import { RequireSession } from './session';

/**
 * Loaders start a page's requests at navigation, beside the session check instead of after it
 * (not awaited: the page renders its own loading state). A signed-out browser's 401s are harmless.
 */
function prefetch(...starts: Array<() => Promise<void>>) {
  for (const start of starts) void start();
  return null;
}

const installationLoader = ({ params, request }: LoaderFunctionArgs) => {
  const id = params['id'] ?? '';
  const runId = new URL(request.url).searchParams.get('run') ?? undefined;
  return prefetch(
    () => queryClient.prefetchQuery(installationQuery(id)),
    () => queryClient.prefetchQuery(integrationsQuery()),
    ...(params['tab'] === 'sync-status' ? [() => queryClient.prefetchQuery(syncStatusQuery(id, runId))] : []),
  );
};

/** Every page has its own URL; the console's pages need a session, sign-in and invitations do not. */
export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/invitations/accept', element: <AcceptInvitationPage /> },
  {
    path: '/',
    element: (
      <RequireSession>
        <Layout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to="/data-sources" replace /> },
      {
        path: 'data-sources',
        element: <DataSourcesPage />,
        loader: () =>
          prefetch(
            () => queryClient.prefetchQuery(installationsQuery()),
            () => queryClient.prefetchQuery(integrationsQuery()),
          ),
      },
      { path: 'integrations', element: <IntegrationsPage /> },
      { path: 'integrations/:integrationId/connect', element: <ConnectPage /> },
      { path: 'connect/return', element: <ConnectReturnPage /> },
      { path: 'installations/:id', element: <Navigate to="sync-status" replace /> },
      { path: 'installations/:id/:tab', element: <InstallationPage />, loader: installationLoader },
      { path: 'catalog', element: <BlueprintsPage /> },
      { path: 'catalog/:blueprint', element: <EntitiesPage /> },
      { path: 'catalog/:blueprint/:identifier', element: <EntityPage /> },
      { path: 'organization', element: <Navigate to="/organization/users" replace /> },
      {
        path: 'organization/users',
        element: (
          <RequireRole role="admin">
            <UsersPage />
          </RequireRole>
        ),
      },
      {
        path: 'organization/api-clients',
        element: (
          <RequireRole role="admin">
            <ApiClientsPage />
          </RequireRole>
        ),
      },
      {
        path: 'organization/audit-log',
        element: (
          <RequireRole role="admin">
            <AuditLogPage />
          </RequireRole>
        ),
      },
      { path: 'organization/profile', element: <ProfilePage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
