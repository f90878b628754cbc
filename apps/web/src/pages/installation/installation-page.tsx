import { lazy, Suspense } from 'react';
import { Link, NavLink, Navigate, useParams } from 'react-router';
import { useInstallation, useIntegrations } from '../../api/queries';
import { useHasRole } from '../../app/session';
import { InstallationStateBadge } from '../../components/badges';
import { PageHeader } from '../../components/page-header';
import { ErrorState, Loading } from '../../components/states';
import { formatRelative } from '../../lib/format';
import { AuditLogTab } from './audit-log-tab';
import { EventLogTab } from './event-log-tab';
import { LiveEventsTab } from './live-events-tab';
import { ResyncButton } from './resync-button';
import { ScheduleTab } from './schedule-tab';
import { SettingsTab } from './settings-tab';
import { SyncStatusTab } from './sync-status-tab';

// The mapping editor (CodeMirror, YAML) is the heaviest part of the console: loaded on demand.
const MappingTab = lazy(() => import('./mapping-tab'));

const TABS = [
  { path: 'sync-status', label: 'Sync status' },
  { path: 'events', label: 'Event log' },
  { path: 'live-events', label: 'Live events' },
  { path: 'audit', label: 'Audit log', role: 'admin' },
  { path: 'mapping', label: 'Mapping' },
  { path: 'schedule', label: 'Schedule' },
  { path: 'settings', label: 'Settings' },
] as const;

type TabPath = (typeof TABS)[number]['path'];

export function InstallationPage() {
  const { id = '', tab = 'sync-status' } = useParams();
  const installation = useInstallation(id);
  const integrations = useIntegrations();
  const isAdmin = useHasRole('admin');
  const tabs = TABS.filter((candidate) => !('role' in candidate) || isAdmin);
  if (!tabs.some((candidate) => candidate.path === tab)) return <Navigate to={`/installations/${id}/sync-status`} replace />;

  if (installation.isPending) return <Loading label="Loading the data source…" />;
  if (installation.isError) {
    return (
      <>
        <PageHeader title="Data source" breadcrumbs={<Link to="/data-sources">Data sources</Link>} />
        <div className="card">
          <ErrorState error={installation.error} onRetry={() => void installation.refetch()} />
        </div>
      </>
    );
  }
  const current = installation.data.installation;
  const integration = integrations.data?.integrations.find((candidate) => candidate.id === current.integrationId);
  const reconnect = `/integrations/${encodeURIComponent(current.integrationId)}/connect?reconnect=${current.id}`;
  return (
    <>
      <PageHeader
        breadcrumbs={<Link to="/data-sources">Data sources</Link>}
        title={
          <span className="row">
            {current.name} <InstallationStateBadge state={current.state} enabled={current.enabled} />
          </span>
        }
        description={
          <>
            {integration?.title ?? current.integrationId} · next run{' '}
            {current.nextRunAt ? formatRelative(current.nextRunAt) : 'not scheduled'}
          </>
        }
        actions={<ResyncButton installation={current} />}
      />
      <div className="stack">
        {current.state === 'needs_reauth' ? (
          <div className="banner danger" role="status" data-testid="reauth-banner">
            <div>
              <strong>This data source needs new credentials</strong>
              <p>
                The tool refused its credentials{current.stateReason ? ` (${current.stateReason})` : ''}, so syncing stopped.
                Reconnect to resume; the mapping, schedule and entities are kept.
              </p>
            </div>
            {isAdmin ? (
              <Link className="button primary" to={reconnect}>
                Reconnect
              </Link>
            ) : null}
          </div>
        ) : null}
        {!current.enabled || current.state === 'disabled' ? (
          <div className="banner warning" role="status" data-testid="disabled-banner">
            <div>
              <strong>This data source is disabled</strong>
              <p>It keeps its entities but does not sync. {isAdmin ? 'Enable it in Settings.' : 'An admin can enable it.'}</p>
            </div>
          </div>
        ) : null}
        <nav className="tabs" aria-label="Data source">
          {tabs.map((candidate) => (
            <NavLink key={candidate.path} to={`/installations/${id}/${candidate.path}`}>
              {candidate.label}
            </NavLink>
          ))}
        </nav>
        <TabContent tab={tab as TabPath} installation={current} reconnect={reconnect} />
      </div>
    </>
  );
}

function TabContent({
  tab,
  installation,
  reconnect,
}: {
  tab: TabPath;
  installation: Parameters<typeof SettingsTab>[0]['installation'];
  reconnect: string;
}) {
  switch (tab) {
    case 'sync-status':
      return <SyncStatusTab installation={installation} />;
    case 'events':
      return <EventLogTab installation={installation} />;
    case 'live-events':
      return <LiveEventsTab installation={installation} />;
    case 'audit':
      return <AuditLogTab installationId={installation.id} />;
    case 'mapping':
      return (
        <Suspense fallback={<Loading label="Loading the mapping editor…" />}>
          <MappingTab installation={installation} />
        </Suspense>
      );
    case 'schedule':
      return <ScheduleTab installation={installation} />;
    case 'settings':
      return <SettingsTab installation={installation} reconnect={reconnect} />;
  }
}
