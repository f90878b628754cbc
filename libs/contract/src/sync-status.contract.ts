import { z } from 'zod';
import { cursor, isoDateTime, limit, uuid } from './common.js';
import { syncRunStatus, syncTotals } from './installations.contract.js';
import { liveEventCounts } from './live-events.contract.js';

// What an installation's syncs did: status per resource and phase with tips, history, event logs.

export const syncStatusQuery = z.strictObject({ runId: uuid.optional() });
export const syncHistoryQuery = z.strictObject({ limit: limit(100, 20), cursor: cursor.optional() });
export const runEventsQuery = z.strictObject({ limit: limit(500, 100), cursor: cursor.optional() });

const errorSample = z.object({
  phase: z.enum(['extract', 'transform', 'load', 'reingest']),
  reason: z.string(),
  identifier: z.string().optional(),
  field: z.string().optional(),
});

const runHeader = {
  id: uuid,
  installationId: uuid,
  status: syncRunStatus,
  trigger: z.string(),
  attempt: z.number().int(),
  /** Asked for with acceptFetchDrop: the run may delete despite the installation's maxFetchDrop. */
  acceptFetchDrop: z.boolean(),
  /** The due time, for a scheduled run or a skipped one. */
  scheduledFor: isoDateTime.nullable(),
  /** For a skipped due time: the run that was still active. */
  skippedFor: uuid.nullable(),
  createdAt: isoDateTime,
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
  durationMs: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string().nullable() }).nullable(),
};

/** One mapping resource (`kind-index`) of a run, in mapping order: a kind mapped twice shows twice. */
export const syncRunResource = z.object({
  kind: z.string(),
  kindIndex: z.number().int(),
  kindIdentifier: z.string(),
  blueprint: z.string().nullable(),
  status: syncRunStatus,
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
  durationMs: z.number().nullable(),
  extract: z.object({ fetched: z.number().int(), failed: z.number().int(), durationMs: z.number() }),
  transform: z.object({
    transformed: z.number().int(),
    filteredOut: z.number().int(),
    failed: z.number().int(),
    durationMs: z.number(),
  }),
  load: z.object({ ingested: z.number().int(), notChanged: z.number().int(), failed: z.number().int(), durationMs: z.number() }),
  error: z.string().nullable(),
  errorSamples: z.array(errorSample),
});

export const syncRun = z.object({
  ...runHeader,
  resources: z.array(syncRunResource),
  reconciliation: z.object({
    reingested: z.number().int(),
    reingestFailed: z.number().int(),
    deleted: z.number().int(),
    deleteFailed: z.number().int(),
    durationMs: z.number().nullable(),
    deletion: z
      .object({
        decision: z.string(),
        reason: z.string().nullable(),
        /** The per-blueprint shares the decision used; `fetchDrop` when the drop guard refused. */
        details: z.unknown(),
      })
      .nullable(),
  }),
});

export const tip = z.object({
  code: z.string(),
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  kind: z.string().nullable(),
  kindIndex: z.number().int().nullable(),
});

export const syncStatus = z.object({
  installationId: uuid,
  run: syncRun.nullable(),
  tips: z.array(tip),
  /** Live-event counts per kind over the last hour and day (Port's sync status leaves them out). */
  liveEvents: z.array(liveEventCounts),
});

export const syncRunSummary = z.object({ ...runHeader, totals: syncTotals });
export const syncHistory = z.object({ syncs: z.array(syncRunSummary), next: z.string().nullable() });

export const runEvent = z.object({
  seq: z.string(),
  occurredAt: isoDateTime,
  level: z.string(),
  type: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export const runEvents = z.object({ events: z.array(runEvent), next: z.string().nullable() });
