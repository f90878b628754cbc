import { useState } from 'react';
import { useAuditLog } from '../api/queries';
import type { AuditEventView } from '../api/types';
import { Pager } from './pager';
import { EmptyState } from './states';
import { formatDateTime } from '../lib/format';
import { QueryView } from './query-view';

/** Who changed what, newest first, with cursor pages; `filter` narrows it (e.g. one installation). */
export function AuditTable({ filter, title }: { filter: Record<string, string>; title: string }) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const audit = useAuditLog(filter, cursors.at(-1) ?? null);
  return (
    <section className="card" aria-labelledby="audit-heading">
      <div className="card-header">
        <h2 id="audit-heading">{title}</h2>
      </div>
      <QueryView
        query={audit}
        loading="Loading the audit log…"
        isEmpty={(data) => !data.events.length}
        empty={<EmptyState title="Nothing recorded yet" />}
      >
        {(data) => (
          <>
            <div className="table-wrap">
              <table data-testid="audit-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {data.events.map((event) => (
                    <tr key={event.id}>
                      <td className="nowrap">{formatDateTime(event.occurredAt)}</td>
                      <td>{actorLabel(event)}</td>
                      <td className="mono">{event.action}</td>
                      <td>
                        {event.target.type} <span className="muted small mono">{event.target.id}</span>
                      </td>
                      <td>
                        {Object.keys(event.details).length ? (
                          <details>
                            <summary className="small muted">Show</summary>
                            <pre className="block">{JSON.stringify(event.details, null, 2)}</pre>
                          </details>
                        ) : (
                          '—'
                        )}
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
              label="the audit log"
            />
          </>
        )}
      </QueryView>
    </section>
  );
}

function actorLabel(event: AuditEventView): string {
  const { actor } = event;
  if (actor.kind === 'system') return 'Mooring';
  const kind = actor.kind === 'api_client' ? 'API client' : 'person';
  return actor.name ? `${actor.name} (${kind})` : `${kind} ${actor.id.slice(0, 8)}`;
}
