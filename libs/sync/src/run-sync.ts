import { setMaxListeners } from 'node:events';
import type { IntegrationConnection } from '@mooring/integrations';
import { isDomainError, type DomainError } from '@mooring/platform';
import { ExtractionGuard } from './extract/extraction-guard.js';
import { extractPages } from './extract/extract-pages.js';
import { LOAD_BATCH_SIZE, ResourceLoader } from './load/resource-loader.js';
import { transformPage } from './map/transform-page.js';
import type { ParsedResource } from './mapping/index.js';
import type { ResourceOutcome } from './reconcile/decide-deletion.js';
import { reconcile } from './reconcile/reconcile.js';
import { reingestPending } from './reconcile/reingest.js';
import { startRun, type RunContext, type SyncDependencies, type SyncRunIds } from './run-context.js';
import { credentialsError, endEarly, finishRun } from './status/finish-run.js';
import { observersOf } from './status/observers.js';
import { handingBack, type RunOutcome } from './status/run-outcome.js';
import { RunLedger } from './status/run-ledger.js';
import { ResourceTally } from './tally/resource-tally.js';

/**
 * One attempt at a sync run, the whole pipeline: for each mapping resource in order extract → map
 * → load, page by page; then reingest entities that waited for related ones; then reconcile (delete
 * what the tool no longer has, only after a clean pass); then finish the run. Its ledger, event log,
 * log lines, metrics and traces observe the stage events (status/observers.ts). Returns how the
 * attempt ended; only an unexpected error (the database going away, a bug) throws, with the run
 * left running so a retry starts a new attempt (loads are hash-guarded, deletion needs a clean pass).
 */
export async function runSync(ids: SyncRunIds, deps: SyncDependencies, options: RunOptions = {}): Promise<RunOutcome> {
  const signal = options.signal ?? new AbortController().signal;
  // Every request waiting for one of the token's slots listens to the run's signal: more than
  // Node's default of ten listeners is the design here, not a leak.
  setMaxListeners(0, signal);
  const ledger = new RunLedger(deps.runs, deps.catalog, ids);
  const emit = observersOf(ids, deps, ledger);
  try {
    const started = await startRun(ids, deps, ledger, emit);
    const outcome =
      'outcome' in started
        ? started.outcome
        : await attempt({ ...started.context, isTransient: options.isTransient }, deps, signal);
    await emit({ type: 'run.finished', outcome, started: 'context' in started });
    return outcome;
  } catch (error) {
    await emit({ type: 'run.interrupted', error, attempt: ledger.currentAttempt });
    throw error;
  }
}

export interface RunOptions {
  /**
   * Aborting stops the run at a page boundary: it ends aborted (with the reason's code when the
   * reason is a DomainError, e.g. a time limit), or, when the reason is RunInterrupted, is handed
   * back: it stays running for a later attempt.
   */
  readonly signal?: AbortSignal;
  /**
   * Given by the worker while attempts remain: an extraction error it says may pass (network, 5xx,
   * 429) makes the outcome retryLater instead of failing the run, which stays running.
   */
  readonly isTransient?: (error: unknown) => boolean;
}

async function attempt(run: RunContext, deps: SyncDependencies, signal: AbortSignal): Promise<RunOutcome> {
  try {
    return await pipeline(run, await deps.connect(run.installation, signal), signal);
  } catch (error) {
    // Thrown from the far side: the connection could not be opened (e.g. unreadable credentials),
    // or an abort reached a call in flight. Anything else is unexpected and propagates.
    if (handingBack(signal)) return { kind: 'handedBack' };
    if (!signal.aborted && !isDomainError(error)) throw error;
    return endEarly(run.ledger, signal, error);
  }
}

async function pipeline(run: RunContext, connection: IntegrationConnection, signal: AbortSignal): Promise<RunOutcome> {
  const outcomes: ResourceOutcome[] = [];
  for (const resource of run.mapping.resources) {
    if (signal.aborted) break;
    const outcome = await syncResource(run, resource, connection, signal);
    if ('refused' in outcome) {
      // A token the tool refused (revoked, expired): the installation needs new credentials.
      if (outcome.refused.code === 'CREDENTIALS_INVALID') await connection.credentialsRejected?.(outcome.refused.message);
      return endEarly(run.ledger, signal, outcome.refused);
    }
    if ('retryLater' in outcome) {
      const reason = `resource ${resource.key} failed to extract: ${message(outcome.retryLater)}`;
      return { kind: 'retryLater', reason, cause: outcome.retryLater };
    }
    outcomes.push(outcome);
  }
  if (handingBack(signal)) return { kind: 'handedBack' }; // resumes elsewhere, nothing reconciled

  await run.emit({ type: 'reingest.started' });
  const reingest = await reingestPending(run.load, run.writers, signal);
  await run.emit({ type: 'reingest.finished', result: reingest });

  await run.emit({ type: 'reconcile.started' });
  const deletion = await reconcile(run, outcomes, signal);
  if (deletion === 'superseded') return { kind: 'superseded', attempt: run.attempt };
  await run.emit({ type: 'deletion.decided', deletion });

  return finishRun(run.ledger, { outcomes, reingest, deletion, aborted: signal.aborted, abortReason: signal.reason });
}

/** Extract → map → load for one resource (`kind-index`), page by page. */
async function syncResource(
  run: RunContext,
  resource: ParsedResource,
  connection: IntegrationConnection,
  signal: AbortSignal,
): Promise<ResourceOutcome | { readonly refused: DomainError } | { readonly retryLater: unknown }> {
  const done = run.completed.get(resource.index);
  if (done) {
    await run.emit({ type: 'resource.kept', resource });
    return { key: resource.key, status: 'completed', counts: done };
  }
  const kind = run.integration.kinds[resource.kind]!;
  const unavailable = kind.unavailable?.(connection);
  if (unavailable) {
    // Not a failure: nothing is requested, and reconciliation keeps what the resource wrote before.
    const tally = new ResourceTally();
    await run.emit({ type: 'resource.started', resource });
    await run.emit({
      type: 'resource.finished',
      resource,
      status: 'skipped',
      error: unavailable,
      tally,
      rawSamples: [],
      durationMs: 0,
    });
    return { key: resource.key, status: 'skipped', counts: tally.counts };
  }
  const started = performance.now();
  const tally = new ResourceTally();
  const loader = new ResourceLoader(
    run.load,
    { index: resource.index, key: resource.key, writer: run.writers.get(resource.index)! },
    tally,
  );
  const extraction = new ExtractionGuard(tally, signal);
  const rawSamples: unknown[] = [];
  await run.emit({ type: 'resource.started', resource });
  try {
    for await (const page of extraction.pages(extractPages(resource.kind, kind, connection, resource.selectorOptions))) {
      rawSamples.push(...page.items.slice(0, 5 - rawSamples.length));
      // A page of any size streams through a batch at a time: mapped entities never pile up.
      for (let start = 0; start < page.items.length && !tally.stopped; start += LOAD_BATCH_SIZE) {
        const items = page.items.slice(start, start + LOAD_BATCH_SIZE);
        const entities = await tally.time('transformMs', () => transformPage(items, resource, run.load.blueprints, tally));
        await loader.add(entities);
      }
      await run.emit({ type: 'page.loaded', resource, tally });
      if (tally.stopped) break;
    }
  } catch (error) {
    // No write of this resource may land after the run has ended.
    await loader.finish().catch(() => {});
    throw error;
  }
  await loader.finish();
  if (extraction.refused) {
    await run.emit({ type: 'resource.refused', resource, tally, error: extraction.refused });
    return { refused: extraction.refused };
  }
  // The resource stays unfinished: the run's next attempt fetches it again.
  if (extraction.status === 'failed' && run.isTransient?.(extraction.cause)) return { retryLater: extraction.cause };
  const status = tally.stopped ? 'failed' : extraction.status;
  const error = tally.stopped ?? extraction.error;
  const durationMs = performance.now() - started;
  await run.emit({ type: 'resource.finished', resource, status, error, tally, rawSamples, durationMs });
  return {
    key: resource.key,
    status,
    ...(status === 'failed' ? { failedIn: tally.stopped ? 'transform' : 'extract' } : {}),
    ...(credentialsError(extraction.cause) ? { credentialsError: credentialsError(extraction.cause) } : {}),
    counts: tally.counts,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
