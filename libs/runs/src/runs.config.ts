import { envVar, positiveInt } from '@mooring/platform';

// Configuration of runs, composed into the scheduler's and the worker's config (README lists them).

export const dispatchGroup = {
  pollMs: envVar('DISPATCH_POLL_MS', positiveInt().max(60_000).default(500), {
    description: 'How often the dispatcher looks for runs to admit when nothing woke it',
  }),
  queueTarget: envVar('DISPATCH_QUEUE_TARGET', positiveInt().max(10_000).default(20), {
    description:
      'Runs admitted but not yet started, at most; keep it near the total worker concurrency so fairness is decided at dispatch',
  }),
  requeueAfterSeconds: envVar('DISPATCH_REQUEUE_AFTER_SECONDS', positiveInt().max(86_400).default(60), {
    description: 'An admitted run no worker started after this long is enqueued again (its job may have been lost)',
  }),
  maxAttempts: envVar('RUN_MAX_ATTEMPTS', positiveInt().max(20).default(4), {
    description: 'Attempts a run gets when it fails for a reason that may pass (network, 5xx, 429)',
  }),
  tickConcurrency: envVar('SCHEDULER_TICK_CONCURRENCY', positiveInt().max(500).default(16), {
    description: 'Schedule ticks a scheduler handles at once',
  }),
  scheduleCheckSeconds: envVar('SCHEDULE_CHECK_SECONDS', positiveInt().max(3600).default(15), {
    description:
      'How often a scheduler checks that Redis still holds the schedules (it also checks on every reconnect); lost ones are registered again from PostgreSQL',
  }),
};

export const runWorkerGroup = {
  concurrency: envVar('WORKER_CONCURRENCY', positiveInt().max(100).default(2), {
    description: 'Sync runs a worker process runs at once',
  }),
  timeoutSeconds: envVar(
    'RUN_TIMEOUT_SECONDS',
    positiveInt()
      .max(7 * 86_400)
      .default(4 * 3600),
    {
      description: 'A run still going after this long is aborted (RUN_TIMED_OUT)',
    },
  ),
  lockSeconds: envVar('RUN_LOCK_SECONDS', positiveInt().max(3600).default(30), {
    description: 'How long a run’s job lock lasts unrenewed: a killed worker’s run resumes elsewhere after about this long',
  }),
  retryBaseSeconds: envVar('RUN_RETRY_BASE_SECONDS', positiveInt().max(3600).default(15), {
    description: 'Delay before the first retry of a run that failed transiently; doubles each attempt (with jitter)',
  }),
  leaseSeconds: envVar('RUN_LEASE_SECONDS', positiveInt().min(3).max(3600).default(60), {
    description:
      'A worker holds its running run for this long, renewed in PostgreSQL every third of it; the dispatcher ends a run whose job is gone only once its lease ran out',
  }),
};

export interface DispatchOptions {
  readonly pollMs: number;
  readonly queueTarget: number;
  readonly requeueAfterSeconds: number;
  readonly scheduleCheckSeconds: number;
}

export interface RunWorkerOptions {
  readonly timeoutSeconds: number;
  readonly retryBaseSeconds: number;
  readonly leaseSeconds: number;
}
export const RUN_WORKER_OPTIONS = Symbol('RUN_WORKER_OPTIONS');
export const DISPATCH_OPTIONS = Symbol('DISPATCH_OPTIONS');
