import type { DomainError } from '@mooring/platform';
import type { ParsedResource } from '../mapping/index.js';
import type { DeletionOutcome } from '../reconcile/reconcile.js';
import type { ReingestResult } from '../reconcile/reingest.js';
import type { ResourceTally } from '../tally/resource-tally.js';
import type { RunOutcome } from './run-outcome.js';

/**
 * What the engine tells its observers as a run goes: the run ledger, the event log, the process's
 * log, metrics and traces each subscribe, so the pipeline itself holds no observation code.
 */
export type StageEvent =
  | {
      readonly type: 'run.started';
      readonly attempt: number;
      readonly trigger: string;
      readonly integration: string;
      readonly resources: readonly ParsedResource[];
      /** Resources a crashed attempt completed, kept (same mapping only). */
      readonly kept: readonly string[];
      /** Keys the kept resources staged are gone: everything starts over. */
      readonly keysLost: boolean;
    }
  /** The run could not start (its installation or mapping is unusable); it ended failed. */
  | { readonly type: 'run.refused'; readonly error: DomainError; readonly outcome: RunOutcome }
  | { readonly type: 'resource.kept'; readonly resource: ParsedResource }
  | { readonly type: 'resource.started'; readonly resource: ParsedResource }
  /** A page went through extract → map → load. */
  | { readonly type: 'page.loaded'; readonly resource: ParsedResource; readonly tally: ResourceTally }
  | {
      readonly type: 'resource.finished';
      readonly resource: ParsedResource;
      /** skipped: the kind is unavailable to the installation (`error` says why); nothing was requested. */
      readonly status: 'completed' | 'failed' | 'aborted' | 'skipped';
      readonly error: string | null;
      readonly tally: ResourceTally;
      /** The first raw items the tool returned, for mapping tests. */
      readonly rawSamples: readonly unknown[];
      readonly durationMs: number;
    }
  /** The tool refused the credentials while the resource was extracted: the run ends failed. */
  | {
      readonly type: 'resource.refused';
      readonly resource: ParsedResource;
      readonly tally: ResourceTally;
      readonly error: DomainError;
    }
  | { readonly type: 'reingest.started' }
  | { readonly type: 'reingest.finished'; readonly result: ReingestResult }
  | { readonly type: 'reconcile.started' }
  | { readonly type: 'deletion.decided'; readonly deletion: DeletionOutcome }
  /** The attempt is over; `started` is false when the run had already ended (a replayed job). */
  | { readonly type: 'run.finished'; readonly outcome: RunOutcome; readonly started: boolean }
  /** Something unexpected (the database going away, a bug) stopped the attempt; a retry starts a new one. */
  | { readonly type: 'run.interrupted'; readonly error: unknown; readonly attempt: number | undefined };

export interface RunObserver {
  observe(event: StageEvent): void | Promise<void>;
}

/** Tells each observer, in order, and waits for it: the ledger's writes land before the run goes on. */
export type Emit = (event: StageEvent) => Promise<void>;

export function emitTo(observers: readonly RunObserver[]): Emit {
  return async (event) => {
    for (const observer of observers) await observer.observe(event);
  };
}
