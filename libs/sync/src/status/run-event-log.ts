import { scrubSecrets } from '@mooring/platform';
import type { NewSyncRunEvent, SyncRunEventRepository } from '@mooring/persistence';

export type RunEventStore = Pick<SyncRunEventRepository, 'appendEvents'>;

/**
 * A run's event log, for people reading what a run did: a handful of entries per resource, never
 * per item. Entries noted with `note` wait for the next `record`, so events that happen together
 * (reingest, deletion decision, run end) are written in one statement. Messages and details are
 * scrubbed of every registered secret before they are stored.
 */
export class RunEventLog {
  private pending: NewSyncRunEvent[] = [];

  constructor(
    private readonly store: RunEventStore,
    private readonly ids: { readonly orgId: string; readonly runId: string },
  ) {}

  /** Keeps an entry for the next `record`. */
  note(event: NewSyncRunEvent): void {
    this.pending.push(scrubEvent(event));
  }

  /** Writes the noted entries and these ones, in order. */
  async record(...events: NewSyncRunEvent[]): Promise<void> {
    const batch = [...this.pending, ...events.map(scrubEvent)];
    this.pending = [];
    await this.store.appendEvents(this.ids.orgId, this.ids.runId, batch);
  }
}

/**
 * Writes entries to a run's event log from outside the engine, e.g. the worker: "job retried after
 * a transient error", "recovered after a stall", "skipped: run X is still active".
 */
export async function recordRunEvents(
  store: RunEventStore,
  ids: { readonly orgId: string; readonly runId: string },
  ...events: NewSyncRunEvent[]
): Promise<void> {
  await new RunEventLog(store, ids).record(...events);
}

function scrubEvent(event: NewSyncRunEvent): NewSyncRunEvent {
  return {
    level: event.level,
    type: event.type,
    message: scrubSecrets(event.message),
    ...(event.details ? { details: JSON.parse(scrubSecrets(JSON.stringify(event.details))) as Record<string, unknown> } : {}),
  };
}
