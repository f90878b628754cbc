import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keys, useSyncHistory, useSyncStatus } from '../../api/queries';
import type { InstallationView, ResourceStatus, SyncRunView, TipView } from '../../api/types';
import { Badge, RunStatusBadge, isActiveRun } from '../../components/badges';
import { Pager } from '../../components/pager';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { formatCount, formatDateTime, formatDuration, formatRelative } from '../../lib/format';
import { QueryView } from '../../components/query-view';
import { AcceptFetchDrop } from './accept-fetch-drop';

const TRIGGERS: Readonly<Record<string, string>> = {
  schedule: 'Schedule',
  manual: 'Resync now',
  installed: 'First sync',
  mapping_changed: 'Mapping changed',
  credentials_rotated: 'New credentials',
  follow_up: 'Follow-up',
};

/**
 * The newest run (live while it is active) or any past one (`?run=`): per mapping resource in
 * mapping order, fetch / map / ingest counts, reconciliation and what to check.
 */
export function SyncStatusTab({ installation }: { installation: InstallationView }) {
  const [params] = useSearchParams();
  const runId = params.get('run') ?? undefined;
  const status = useSyncStatus(installation.id, runId);
  const queryClient = useQueryClient();
  const shownId = status.data?.run?.id;
  const shownStatus = status.data?.run?.status;
  // When the run shown starts or ends, the history and the header (last and next run) change too.
  useEffect(() => {
    if (!shownId) return;
    void queryClient.invalidateQueries({ queryKey: keys.history(installation.id) });
    void queryClient.invalidateQueries({ queryKey: keys.installation(installation.id), exact: true });
  }, [shownId, shownStatus, installation.id, queryClient]);

  return (
    <div className="stack">
      {runId ? (
        <div className="row">
          <Link to={`/installations/${installation.id}/sync-status`}>← Latest run</Link>
        </div>
      ) : null}
      {status.isPending ? (
        <div className="card">
          <Loading label="Loading sync status…" />
        </div>
      ) : status.isError ? (
        <div className="card">
          <ErrorState error={status.error} onRetry={() => void status.refetch()} />
        </div>
      ) : !status.data.run ? (
        <div className="card">
          <EmptyState title="No sync yet">
            The first sync starts shortly after connecting; this page updates as it runs.
          </EmptyState>
        </div>
      ) : (
        <RunStatus installationId={installation.id} run={status.data.run} tips={status.data.tips} />
      )}
      <History installationId={installation.id} selected={runId ?? status.data?.run?.id} />
    </div>
  );
}

function RunStatus({ installationId, run, tips }: { installationId: string; run: SyncRunView; tips: readonly TipView[] }) {
  const live = isActiveRun(run.status);
  const resources = [...run.resources].sort((a, b) => a.kindIndex - b.kindIndex);
  return (
    <>
      <section className="card" aria-labelledby="run-heading" data-testid="run-summary" data-run-status={run.status}>
        <div className="card-header">
          <h2 id="run-heading" className="row">
            Run <RunStatusBadge status={run.status} />
            {live ? <span className="muted small">Updating live</span> : null}
          </h2>
          <span className="muted small mono">{run.id}</span>
        </div>
        <div className="card-body">
          <dl className="kv">
            <dt>Trigger</dt>
            <dd>{TRIGGERS[run.trigger] ?? run.trigger}</dd>
            <dt>Started</dt>
            <dd>
              {run.startedAt ? `${formatDateTime(run.startedAt)} (${formatRelative(run.startedAt)})` : 'Waiting for a worker'}
            </dd>
            <dt>Duration</dt>
            <dd>{run.finishedAt ? formatDuration(run.durationMs) : live ? 'Running' : '—'}</dd>
            {run.attempt > 1 ? (
              <>
                <dt>Attempt</dt>
                <dd>{run.attempt}</dd>
              </>
            ) : null}
            {run.error ? (
              <>
                <dt>Error</dt>
                <dd>
                  <code>{run.error.code}</code> {run.error.message}
                </dd>
              </>
            ) : null}
          </dl>
        </div>
      </section>
      {tips.length ? <Tips installationId={installationId} tips={tips} /> : null}
      <section className="card" aria-labelledby="resources-heading">
        <div className="card-header">
          <h2 id="resources-heading">Resources</h2>
          <span className="muted small">In mapping order</span>
        </div>
        <div className="table-wrap">
          <table data-testid="resource-table">
            <thead>
              <tr>
                <th scope="col">Resource</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Fetched
                </th>
                <th scope="col" className="num">
                  Mapped
                </th>
                <th scope="col" className="num">
                  Filtered out
                </th>
                <th scope="col" className="num">
                  Ingested
                </th>
                <th scope="col" className="num">
                  Unchanged
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col" className="num">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {resources.map((resource) => (
                <ResourceRow key={resource.kindIdentifier} resource={resource} />
              ))}
            </tbody>
          </table>
        </div>
        {resources.length === 0 ? <EmptyState title="No resource has started yet" /> : null}
      </section>
      <Reconciliation run={run} />
      {resources.some((resource) => resource.errorSamples.length) ? <ErrorSamples resources={resources} /> : null}
    </>
  );
}

function ResourceRow({ resource }: { resource: ResourceStatus }) {
  const failed = resource.extract.failed + resource.transform.failed + resource.load.failed;
  return (
    <tr data-testid="resource-row" data-kind={resource.kind} data-kind-index={resource.kindIndex}>
      <td>
        <strong>{resource.kind}</strong> <span className="muted small">#{resource.kindIndex}</span>
        {resource.blueprint ? <div className="muted small">→ {resource.blueprint}</div> : null}
      </td>
      <td>
        <ResourceStatusBadge status={resource.status} />
      </td>
      <td className="num" data-count="fetched">
        {formatCount(resource.extract.fetched)}
      </td>
      <td className="num" data-count="transformed">
        {formatCount(resource.transform.transformed)}
      </td>
      <td className="num" data-count="filteredOut">
        {formatCount(resource.transform.filteredOut)}
      </td>
      <td className="num" data-count="ingested">
        {formatCount(resource.load.ingested)}
      </td>
      <td className="num" data-count="notChanged">
        {formatCount(resource.load.notChanged)}
      </td>
      <td className="num" data-count="failed">
        {failed ? <strong style={{ color: 'var(--danger)' }}>{formatCount(failed)}</strong> : '0'}
      </td>
      <td className="num nowrap">{formatDuration(resource.durationMs)}</td>
    </tr>
  );
}

function ResourceStatusBadge({ status }: { status: string }) {
  switch (status) {
    case 'completed':
      return <Badge tone="success">Completed</Badge>;
    case 'failed':
      return <Badge tone="danger">Failed</Badge>;
    case 'running':
      return (
        <Badge tone="info" live>
          Running
        </Badge>
      );
    case 'pending':
      return <Badge tone="neutral">Waiting</Badge>;
    case 'skipped':
      return <Badge tone="neutral">Skipped</Badge>;
    default:
      return <Badge tone="warning">{status.charAt(0).toUpperCase() + status.slice(1)}</Badge>;
  }
}

function Reconciliation({ run }: { run: SyncRunView }) {
  const { reconciliation } = run;
  const deletion = reconciliation.deletion;
  return (
    <section className="card" aria-labelledby="reconciliation-heading" data-testid="reconciliation">
      <div className="card-header">
        <h2 id="reconciliation-heading">Reconciliation</h2>
        <span className="muted small">{formatDuration(reconciliation.durationMs)}</span>
      </div>
      <div className="card-body stack">
        <div className="stats">
          <Stat label="Reingested" value={reconciliation.reingested} />
          <Stat label="Reingest failures" value={reconciliation.reingestFailed} />
          <Stat label="Deleted" value={reconciliation.deleted} />
          <Stat label="Delete failures" value={reconciliation.deleteFailed} />
        </div>
        <div>
          <span className="label">Deletion: </span>
          {deletion ? (
            <>
              <Badge tone={deletion.decision === 'skipped' ? 'warning' : 'success'}>
                {deletion.decision.replaceAll('_', ' ')}
              </Badge>{' '}
              {deletion.reason ? <span>{deletion.reason}</span> : null}
            </>
          ) : (
            <span className="muted">{isActiveRun(run.status) ? 'decided when every resource is done' : 'not decided'}</span>
          )}
        </div>
      </div>
    </section>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="card stat">
      <div className="value">{formatCount(value)}</div>
      <div className="label">{label}</div>
    </div>
  );
}

function Tips({ installationId, tips }: { installationId: string; tips: readonly TipView[] }) {
  return (
    <section className="card" aria-labelledby="tips-heading" data-testid="tips">
      <div className="card-header">
        <h2 id="tips-heading">What to check</h2>
      </div>
      <ul className="card-body stack" style={{ margin: 0, listStyle: 'none' }}>
        {tips.map((tip, index) => (
          <li
            key={`${tip.code}-${index}`}
            className={`banner ${tip.severity === 'error' ? 'danger' : tip.severity === 'warning' ? 'warning' : 'info'}`}
          >
            <div>
              {tip.kind ? (
                <strong>
                  {tip.kind}
                  {tip.kindIndex !== null ? ` #${tip.kindIndex}` : ''}:{' '}
                </strong>
              ) : null}
              {tip.message}
              {tip.code === 'FETCH_DROPPED' ? <AcceptFetchDrop installationId={installationId} /> : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ErrorSamples({ resources }: { resources: readonly ResourceStatus[] }) {
  return (
    <section className="card" aria-labelledby="samples-heading">
      <div className="card-header">
        <h2 id="samples-heading">First errors</h2>
      </div>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Resource</th>
              <th scope="col">Phase</th>
              <th scope="col">Item</th>
              <th scope="col">Field</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {resources.flatMap((resource) =>
              resource.errorSamples.map((sample, index) => (
                <tr key={`${resource.kindIdentifier}-${index}`}>
                  <td>
                    {resource.kind} #{resource.kindIndex}
                  </td>
                  <td>{sample.phase}</td>
                  <td className="mono">{sample.identifier ?? '—'}</td>
                  <td className="mono">{sample.field ?? '—'}</td>
                  <td>{sample.reason}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function History({ installationId, selected }: { installationId: string; selected: string | undefined }) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors.at(-1) ?? null;
  const history = useSyncHistory(installationId, cursor);
  return (
    <section className="card" aria-labelledby="history-heading">
      <div className="card-header">
        <h2 id="history-heading">History</h2>
      </div>
      <QueryView
        query={history}
        loading="Loading history…"
        isEmpty={(data) => !data.syncs.length}
        empty={<EmptyState title="No runs yet" />}
      >
        {(data) => (
          <>
            <div className="table-wrap">
              <table data-testid="history-table">
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Status</th>
                    <th scope="col">Trigger</th>
                    <th scope="col" className="num">
                      Fetched
                    </th>
                    <th scope="col" className="num">
                      Ingested
                    </th>
                    <th scope="col" className="num">
                      Deleted
                    </th>
                    <th scope="col" className="num">
                      Failed
                    </th>
                    <th scope="col" className="num">
                      Duration
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.syncs.map((run) => (
                    <tr key={run.id} aria-current={run.id === selected ? 'true' : undefined}>
                      <td>
                        <Link to={`/installations/${installationId}/sync-status?run=${run.id}`}>
                          {formatDateTime(run.startedAt ?? run.scheduledFor ?? run.createdAt)}
                        </Link>
                        {run.id === selected ? <span className="muted small"> (shown)</span> : null}
                      </td>
                      <td>
                        <RunStatusBadge status={run.status} />
                      </td>
                      <td>{TRIGGERS[run.trigger] ?? run.trigger}</td>
                      <td className="num">{formatCount(run.totals.fetched)}</td>
                      <td className="num">{formatCount(run.totals.ingested)}</td>
                      <td className="num">{formatCount(run.totals.deleted)}</td>
                      <td className="num">{formatCount(run.totals.failed)}</td>
                      <td className="num nowrap">{formatDuration(run.durationMs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              hasPrevious={cursors.length > 1}
              hasNext={Boolean(data.next)}
              onPrevious={() => setCursors(cursors.slice(0, -1))}
              onNext={() => setCursors([...cursors, data.next])}
              label="history"
            />
          </>
        )}
      </QueryView>
    </section>
  );
}
