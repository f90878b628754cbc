import { Link } from 'react-router';
import { useIntegrations } from '../api/queries';
import { RoleGate } from '../app/session';
import { PageHeader } from '../components/page-header';
import { EmptyState, ErrorState, Loading } from '../components/states';

const AUTH_LABELS = { oauth2: 'OAuth', custom_settings: 'Token' } as const;

export function IntegrationsPage() {
  const integrations = useIntegrations();
  return (
    <>
      <PageHeader title="Integrations" description="Tools Mooring can sync into your catalog." />
      {integrations.isPending ? (
        <div className="card">
          <Loading label="Loading integrations…" />
        </div>
      ) : integrations.isError ? (
        <div className="card">
          <ErrorState error={integrations.error} onRetry={() => void integrations.refetch()} />
        </div>
      ) : !integrations.data.integrations.length ? (
        <div className="card">
          <EmptyState title="No integrations are offered">Ask your operator which integrations this Mooring enables.</EmptyState>
        </div>
      ) : (
        <ul className="grid" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {integrations.data.integrations.map((integration) => (
            <li key={integration.id} className="card integration-card" data-testid={`integration-${integration.id}`}>
              <div className="row" style={{ justifyContent: 'space-between' }}>
                <h2>{integration.title}</h2>
                <div className="chips">
                  {integration.authMethods.map((method) => (
                    <span key={method} className="badge info">
                      {AUTH_LABELS[method]}
                    </span>
                  ))}
                </div>
              </div>
              <p>{integration.description}</p>
              <div>
                <div className="muted small" id={`kinds-${integration.id}`}>
                  Kinds
                </div>
                <ul
                  className="chips"
                  aria-labelledby={`kinds-${integration.id}`}
                  style={{ listStyle: 'none', padding: 0, margin: '4px 0 0' }}
                >
                  {integration.kinds.map((kind) => (
                    <li key={kind.kind} className="badge" title={kind.kind}>
                      {kind.title}
                    </li>
                  ))}
                </ul>
              </div>
              <RoleGate role="admin">
                <div>
                  <Link
                    className="button primary"
                    to={`/integrations/${encodeURIComponent(integration.id)}/connect`}
                    aria-label={`Connect ${integration.title}`}
                  >
                    Connect
                  </Link>
                </div>
              </RoleGate>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
