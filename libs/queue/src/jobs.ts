// The job catalogue: every queue, the payload of its jobs, and their deterministic ids.
// Payloads carry ids only; handlers re-read state from PostgreSQL and guard on it.

export const QUEUE_NAMES = {
  /** Produced by BullMQ job schedulers at each installation's due times; consumed by the scheduler. */
  resyncTicks: 'resync-ticks',
  /** One job per sync run the dispatcher admitted; consumed by workers. */
  syncRuns: 'sync-runs',
  /** Live-event work of an installation (apply its pending deliveries, register its webhook); consumed by workers. */
  liveEvents: 'live-events',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export interface ResyncTickJob {
  readonly orgId: string;
  readonly installationId: string;
}

export interface SyncRunJob {
  readonly orgId: string;
  readonly installationId: string;
  readonly runId: string;
}

/** One scheduler per installation, so re-registering (from any replica) replaces it. */
export function schedulerId(installationId: string): string {
  return `installation-${installationId}`;
}

export function installationOfScheduler(id: string): string | undefined {
  return id.startsWith('installation-') ? id.slice('installation-'.length) : undefined;
}

/** One queue job per run: adding it twice (a retried dispatch) is a no-op while it exists. */
export function syncRunJobId(runId: string): string {
  return `run-${runId}`;
}

/**
 * Live-event work: `apply` drains the installation's pending deliveries (PostgreSQL holds them, in
 * order); `register` creates its webhook on the tool (again), `renew` extends it before it expires.
 */
export interface LiveEventJob {
  readonly orgId: string;
  readonly installationId: string;
}

export type LiveEventJobName = 'apply' | 'register' | 'renew';
