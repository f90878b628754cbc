import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useInstallations, useIntegrations } from '../api/queries';
import type { InstallationView } from '../api/types';
import { InstallationStateBadge, RunStatusBadge } from '../components/badges';
import { PageHeader } from '../components/page-header';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { formatCount, formatDuration, formatRelative } from '../lib/format';
import { useNow } from '../lib/use-now';
import { RoleGate } from '../app/session';

/** Every installation with its state, last and next run and entity counts. */
export function DataSourcesPage() {
  const installations = useInstallations();
  const integrations = useIntegrations();
  const [filter, setFilter] = useState('');
  const titles = useMemo(
    () => new Map((integrations.data?.integrations ?? []).map((integration) => [integration.id, integration.title])),
    [integrations.data],
  );
  const all = installations.data?.installations;
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle ? (all ?? []).filter((installation) => installation.name.toLowerCase().includes(needle)) : (all ?? []);
  }, [all, filter]);
  const needsReauth = (all ?? []).filter((installation) => installation.state === 'needs_reauth');
  const disabled = (all ?? []).filter((installation) => !installation.enabled || installation.state === 'disabled');

  return (
    <>
      <PageHeader
        title="Data sources"
        description="The tools your organization syncs into the catalog."
        actions={
          <RoleGate role="admin">
            <Link className="button primary" to="/integrations">
              Connect a tool
            </Link>
          </RoleGate>
        }
      />
      <div className="stack">
        {needsReauth.length ? (
          <div className="banner danger" role="status" data-testid="reauth-banner">
            <div>
              <strong>
                {needsReauth.length === 1 ? '1 data source needs' : `${needsReauth.length} data sources need`} new credentials
              </strong>
              <p>
                They stopped syncing because the tool refused their credentials:{' '}
                {needsReauth.slice(0, 5).map((installation, index) => (
                  <span key={installation.id}>
                    {index ? ', ' : ''}
                    <Link to={`/installations/${installation.id}/settings`}>{installation.name}</Link>
                  </span>
                ))}
                {needsReauth.length > 5 ? ` and ${needsReauth.length - 5} more` : ''}. Reconnect them to resume.
              </p>
            </div>
          </div>
        ) : null}
        {disabled.length ? (
          <div className="banner warning" role="status" data-testid="disabled-banner">
            <div>
              <strong>{disabled.length === 1 ? '1 data source is' : `${disabled.length} data sources are`} disabled</strong>
              <p>Disabled data sources keep their entities but do not sync. Enable them in their settings.</p>
            </div>
          </div>
        ) : null}
        <section className="card" aria-labelledby="installations-heading">
          <div className="card-header">
            <h2 id="installations-heading">
              Installations {all ? <span className="muted">({formatCount(all.length)})</span> : null}
            </h2>
            {all && all.length > 8 ? (
              <input
                type="search"
                aria-label="Filter data sources by name"
                placeholder="Filter by name"
                value={filter}
                onChange={(event) => setFilter(event.target.value)}
              />
            ) : null}
          </div>
          {installations.isPending ? (
            <Loading label="Loading data sources…" />
          ) : installations.isError ? (
            <ErrorState error={installations.error} onRetry={() => void installations.refetch()} />
          ) : !all?.length ? (
            <EmptyState
              title="No data sources yet"
              action={
                <RoleGate role="admin">
                  <Link className="button primary" to="/integrations">
                    Connect your first tool
                  </Link>
                </RoleGate>
              }
            >
              Connect a tool to start filling the catalog.
            </EmptyState>
          ) : !shown.length ? (
            <EmptyState title="No data source matches that filter" />
          ) : (
            <InstallationTable installations={shown} titles={titles} />
          )}
        </section>
      </div>
    </>
  );
}

function InstallationTable({ installations, titles }: { installations: InstallationView[]; titles: Map<string, string> }) {
  const now = useNow();
  return (
    <div className="table-wrap">
      <table data-testid="installations-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Last run</th>
            <th scope="col">Next run</th>
            <th scope="col" className="num">
              Entities
            </th>
          </tr>
        </thead>
        <tbody>
          {installations.map((installation) => {
            const last = installation.sync?.lastRun;
            const active = installation.sync?.activeRun;
            const byBlueprint = Object.entries(installation.entities?.byBlueprint ?? {});
            return (
              <tr key={installation.id} data-testid="installation-row">
                <td>
                  <Link to={`/installations/${installation.id}/sync-status`}>{installation.name}</Link>
                  <div className="muted small">{titles.get(installation.integrationId) ?? installation.integrationId}</div>
                </td>
                <td>
                  <InstallationStateBadge state={installation.state} enabled={installation.enabled} />
                </td>
                <td>
                  {active ? (
                    <RunStatusBadge status={active.status} />
                  ) : last ? (
                    <>
                      <RunStatusBadge status={last.status} />
                      <div className="muted small">
                        {formatRelative(last.finishedAt ?? last.startedAt, now)} · {formatDuration(last.durationMs)}
                      </div>
                    </>
                  ) : (
                    <span className="muted">Never</span>
                  )}
                </td>
                <td className="nowrap">
                  {installation.nextRunAt ? formatRelative(installation.nextRunAt, now) : <span className="muted">—</span>}
                </td>
                <td className="num">
                  <strong>{formatCount(installation.entities?.total ?? 0)}</strong>
                  {byBlueprint.length ? (
                    <div className="muted small">
                      {byBlueprint.map(([blueprint, count]) => (
                        <div key={blueprint}>
                          {blueprint}: {formatCount(count)}
                        </div>
                      ))}
                    </div>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
