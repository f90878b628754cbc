import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useRunEvents, useSyncHistory } from '../../api/queries';
import type { InstallationView } from '../../api/types';
import { Badge, isActiveRun } from '../../components/badges';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { formatDateTime } from '../../lib/format';
import { Pager } from '../../components/pager';
import { QueryView } from '../../components/query-view';

const LEVEL_TONES = { error: 'danger', warn: 'warning', info: 'info' } as const;

/** A run's event log, oldest first: a handful of entries per resource, secrets already scrubbed. */
export function EventLogTab({ installation }: { installation: InstallationView }) {
  const [params, setParams] = useSearchParams();
  const history = useSyncHistory(installation.id, null);
  const runs = history.data?.syncs ?? [];
  const runId = params.get('run') ?? runs[0]?.id;
  const run = runs.find((candidate) => candidate.id === runId);
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const events = useRunEvents(installation.id, runId, cursors.at(-1) ?? null, isActiveRun(run?.status));

  if (history.isPending) return <Loading label="Loading runs…" />;
  if (history.isError) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />;
  if (!runs.length) {
    return (
      <div className="card">
        <EmptyState title="No runs yet">Each run writes its event log here.</EmptyState>
      </div>
    );
  }
  return (
    <section className="card" aria-labelledby="events-heading">
      <div className="card-header">
        <h2 id="events-heading">Event log</h2>
        <label className="row small">
          Run
          <select
            value={runId}
            onChange={(event) => {
              setCursors([null]);
              setParams({ run: event.target.value });
            }}
          >
            {runs.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {formatDateTime(candidate.startedAt ?? candidate.createdAt)} · {candidate.status}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryView
        query={events}
        loading="Loading events…"
        isEmpty={(data) => !data.events.length}
        empty={<EmptyState title="No events for this run yet" />}
      >
        {(data) => (
          <>
            <div className="table-wrap">
              <table data-testid="event-table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Level</th>
                    <th scope="col">Event</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {data.events.map((event) => (
                    <tr key={String(event.seq)}>
                      <td className="nowrap">{formatDateTime(event.occurredAt)}</td>
                      <td>
                        <Badge tone={LEVEL_TONES[event.level as keyof typeof LEVEL_TONES] ?? 'neutral'}>{event.level}</Badge>
                      </td>
                      <td className="mono">{event.type}</td>
                      <td>
                        {event.message}
                        {event.details && Object.keys(event.details).length ? (
                          <details>
                            <summary className="small muted">Details</summary>
                            <pre className="block">{JSON.stringify(event.details, null, 2)}</pre>
                          </details>
                        ) : null}
                      </td>
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
              label="events"
            />
          </>
        )}
      </QueryView>
    </section>
  );
}
