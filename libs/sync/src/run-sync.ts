import { SpanStatusCode, context as otelContext } from '@opentelemetry/api';
import type { IntegrationConnection } from '@mooring/integrations';
import type { SyncRunRecord } from '@mooring/persistence';
import { isDomainError, type DomainError } from '@mooring/platform';
import { ExtractionGuard, isCredentialsRefusal } from './extract/extraction-guard.js';
import { extractPages } from './extract/extract-pages.js';
import { LOAD_BATCH_SIZE, ResourceLoader } from './load/resource-loader.js';
import { transformPage } from './map/transform-page.js';
import type { ParsedResource } from './mapping/index.js';
import type { ResourceOutcome } from './reconcile/decide-deletion.js';
import { reconcile } from './reconcile/reconcile.js';
import { reingestPending } from './reconcile/reingest.js';
import { startRun, type RunContext, type SyncDependencies, type SyncRunIds } from './run-context.js';
import { RunInterrupted, TransientSyncFailure } from './run-interruptions.js';
import { credentialsError, finishRun, settleRun } from './status/finish-run.js';
import { ResourceTally } from './status/resource-tally.js';
import { defaultTracer, inSpan } from './status/sync-tracing.js';

/**
 * One sync of an installation, the whole pipeline: for each mapping resource in order extract →
 * transform → load; then reingest entities that waited for related ones; then reconcile (delete
 * what the tool no longer has, only after a clean pass); then record the run's status. One trace
 * per run (`sync.run`), with a span per resource and per phase, reingest and reconcile.
 */
export async function runSync(ids: SyncRunIds, deps: SyncDependencies, options: RunOptions = {}): Promise<SyncRunRecord> {
  const signal = options.signal ?? new AbortController().signal;
  const tracer = deps.tracer ?? defaultTracer();
  const attributes = { 'mooring.org_id': ids.orgId, 'mooring.installation_id': ids.installationId, 'mooring.run_id': ids.runId };
  return inSpan(tracer, 'sync.run', otelContext.active(), attributes, async (span, context) => {
    const started = await startRun(ids, deps, { tracer, context });
    const record =
      'record' in started // already ended, or could not start (recorded why)
        ? started.record
        : await settle({ ...started.context, isTransient: options.isTransient }, deps, signal);
    span.setAttributes({ 'mooring.sync.status': record.status, 'mooring.sync.attempt': record.attempt });
    if (!('record' in started)) span.setAttribute('mooring.integration', started.context.integration.id);
    if (record.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: record.errorCode ?? 'failed' });
    return record;
  });
}

export interface RunOptions {
  /**
   * Aborting stops the run at a page boundary: it ends aborted (with the reason's code when the
   * reason is a DomainError, e.g. a time limit), or, when the reason is RunInterrupted, stays
   * running for a later attempt.
   */
  readonly signal?: AbortSignal;
  /**
   * Given by the worker while attempts remain: an extraction error it says may pass (network, 5xx,
   * 429) throws TransientSyncFailure instead of failing the run, which stays running to be retried.
   */
  readonly isTransient?: (error: unknown) => boolean;
}

function settle(run: RunContext, deps: SyncDependencies, signal: AbortSignal): Promise<SyncRunRecord> {
  return settleRun(run, signal, deps.logger, () => pipeline(run, deps, signal));
}

async function pipeline(run: RunContext, deps: SyncDependencies, signal: AbortSignal): Promise<SyncRunRecord> {
  const connection = await deps.connect(run.installation, signal);
  const outcomes: ResourceOutcome[] = [];
  for (const resource of run.mapping.resources) {
    if (signal.aborted) break;
    try {
      outcomes.push(await syncResource(run, resource, connection, signal));
    } catch (error) {
      // A token the tool refused (revoked, expired): the installation needs new credentials.
      if (isDomainError(error, 'CREDENTIALS_INVALID')) await connection.credentialsRejected?.(error.message);
      throw error;
    }
  }
  if (signal.reason instanceof RunInterrupted) throw signal.reason; // resumes elsewhere, nothing reconciled
  const { tracer, context } = run.trace;
  const reingest = await inSpan(tracer, 'sync.reingest', context, {}, async (span) => {
    const result = await reingestPending(run.load, run.writers, signal);
    span.setAttributes({ 'mooring.sync.reingested': result.reingested, 'mooring.sync.reingest_failed': result.reingestFailed });
    return result;
  });
  const deletion = await inSpan(tracer, 'sync.reconcile', context, {}, async (span) => {
    const result = await reconcile(run, outcomes, signal);
    span.setAttributes({
      'mooring.sync.deletion_decision': result.decision,
      'mooring.sync.deleted': result.deleted,
      'mooring.sync.delete_failed': result.deleteFailed,
    });
    return result;
  });
  return finishRun(run, { outcomes, reingest, deletion, aborted: signal.aborted, abortReason: signal.reason });
}

/** Extract → transform → load for one resource (`kind-index`), page by page. */
async function syncResource(
  run: RunContext,
  resource: ParsedResource,
  connection: IntegrationConnection,
  signal: AbortSignal,
): Promise<ResourceOutcome> {
  const where = { kind: resource.kind, kindIndex: resource.index };
  const done = run.completed.get(resource.index);
  if (done) {
    // A crashed attempt of this run finished it (same mapping): its counts and staged keys stand.
    run.events.note({
      level: 'info',
      type: 'resource.kept',
      message: `${resource.key} was completed by a previous attempt; not fetched again`,
      details: where,
    });
    return { key: resource.key, status: 'completed', counts: done };
  }
  const attributes = {
    'mooring.sync.kind': resource.kind,
    'mooring.sync.kind_index': resource.index,
    ...(resource.blueprint ? { 'mooring.sync.blueprint': resource.blueprint } : {}),
  };
  return inSpan(run.trace.tracer, 'sync.resource', run.trace.context, attributes, async (span, context) => {
    const started = performance.now();
    const tally = new ResourceTally();
    const loader = new ResourceLoader(
      run.load,
      { index: resource.index, key: resource.key, writer: run.writers.get(resource.index)! },
      tally,
    );
    const extraction = new ExtractionGuard(tally, signal);
    const rawSamples: unknown[] = [];
    await run.ledger.startResource(resource.index);
    await run.events.record({ level: 'info', type: 'resource.started', message: `${resource.key} started`, details: where });
    const kind = run.integration.kinds[resource.kind]!;
    try {
      for await (const page of extraction.pages(extractPages(resource.kind, kind, connection, resource.selectorOptions))) {
        rawSamples.push(...page.items.slice(0, 5 - rawSamples.length));
        // A page of any size streams through a batch at a time: mapped entities never pile up.
        for (let start = 0; start < page.items.length && !tally.stopped; start += LOAD_BATCH_SIZE) {
          const items = page.items.slice(start, start + LOAD_BATCH_SIZE);
          const entities = await tally.time('transformMs', () => transformPage(items, resource, run.load.blueprints, tally));
          await loader.add(entities);
        }
        await run.ledger.progress(resource.index, tally.counts);
        if (tally.stopped) break;
      }
    } catch (error) {
      // No write of this resource may land after the run has ended.
      await loader.finish().catch(() => {});
      if (isCredentialsRefusal(error)) {
        tally.counts.fetchFailed++;
        await run.ledger.finishResource(
          resource.index,
          'failed',
          tally,
          `${(error as DomainError).code}: ${(error as Error).message}`,
        );
      }
      throw error;
    }
    await loader.finish();
    if (extraction.status === 'failed' && run.isTransient?.(extraction.cause)) {
      throw new TransientSyncFailure(resource.key, extraction.cause);
    }
    const status = tally.stopped ? 'failed' : extraction.status;
    const error = tally.stopped ?? extraction.error;
    await run.ledger.saveRawSample(resource.kind, rawSamples);
    await run.ledger.finishResource(resource.index, status, tally, error);

    const c = tally.counts;
    span.setAttribute('mooring.sync.status', status);
    if (status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? 'failed' });
    tally.timeline.emit(run.trace.tracer, context, {
      extract: {
        ...attributes,
        'mooring.sync.busy_ms': c.extractMs,
        'mooring.sync.fetched': c.fetched,
        'mooring.sync.failed': c.fetchFailed,
      },
      transform: {
        ...attributes,
        'mooring.sync.busy_ms': c.transformMs,
        'mooring.sync.transformed': c.transformed,
        'mooring.sync.filtered_out': c.filteredOut,
        'mooring.sync.failed': c.transformFailed,
      },
      load: {
        ...attributes,
        'mooring.sync.busy_ms': c.loadMs,
        'mooring.sync.loaded': c.ingested,
        'mooring.sync.skipped': c.notChanged,
        'mooring.sync.failed': c.ingestFailed,
      },
    });
    const failures = c.fetchFailed + c.transformFailed + c.ingestFailed;
    await run.events.record({
      level: status === 'completed' ? (failures ? 'warn' : 'info') : status === 'aborted' ? 'warn' : 'error',
      type: `resource.${status}`,
      message:
        `${resource.key} ${status}: fetched ${c.fetched}, mapped ${c.transformed} (${c.filteredOut} filtered out, ${c.transformFailed} failed), ` +
        `written ${c.ingested}, unchanged ${c.notChanged}, failed to load ${c.ingestFailed}${error ? `; ${error}` : ''}`,
      details: { ...where, counts: { ...c }, ...(error ? { error } : {}) },
    });
    run.metrics?.recordResource(run.integration.id, resource.kind, c, { status, durationMs: performance.now() - started });
    return {
      key: resource.key,
      status,
      ...(status === 'failed' ? { failedIn: tally.stopped ? 'transform' : 'extract' } : {}),
      ...(credentialsError(extraction.cause) ? { credentialsError: credentialsError(extraction.cause) } : {}),
      counts: c,
    } satisfies ResourceOutcome;
  });
}
