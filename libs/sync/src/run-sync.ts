import type { IntegrationConnection } from '@mooring/integrations';
import type { SyncRunRecord } from '@mooring/persistence';
import { isDomainError, type DomainError } from '@mooring/platform';
import { ExtractionGuard, isCredentialsRefusal } from './extract/extraction-guard.js';
import { extractPages } from './extract/extract-pages.js';
import { ResourceLoader } from './load/resource-loader.js';
import { transformPage } from './map/transform-page.js';
import type { ParsedResource } from './mapping/parse-mapping.js';
import type { ResourceOutcome } from './reconcile/decide-deletion.js';
import { reconcile } from './reconcile/reconcile.js';
import { reingestPending } from './reconcile/reingest.js';
import { startRun, type RunContext, type SyncDependencies, type SyncRunIds } from './run-context.js';
import { finishRun, settleRun } from './status/finish-run.js';
import { ResourceTally } from './status/resource-tally.js';

/**
 * One sync of an installation, the whole pipeline: for each mapping resource in order extract →
 * transform → load; then reingest entities that waited for related ones; then reconcile (delete
 * what the tool no longer has, only after a clean pass); then record the run's status.
 */
export async function runSync(
  ids: SyncRunIds,
  deps: SyncDependencies,
  options: { signal?: AbortSignal } = {},
): Promise<SyncRunRecord> {
  const signal = options.signal ?? new AbortController().signal;
  const started = await startRun(ids, deps);
  if ('record' in started) return started.record; // already ended, or could not start (recorded why)
  const run = started.context;
  return settleRun(run, signal, deps.logger, async () => {
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
    const reingest = await reingestPending(run.load, run.writers, signal);
    const deletion = await reconcile(run, outcomes, signal);
    return finishRun(run, { outcomes, reingest, deletion, aborted: signal.aborted });
  });
}

/** Extract → transform → load for one resource (`kind-index`), page by page. */
async function syncResource(
  run: RunContext,
  resource: ParsedResource,
  connection: IntegrationConnection,
  signal: AbortSignal,
): Promise<ResourceOutcome> {
  const done = run.completed.get(resource.index);
  if (done) return { key: resource.key, status: 'completed', counts: done }; // a crashed attempt finished it
  const tally = new ResourceTally();
  const loader = new ResourceLoader(
    run.load,
    { index: resource.index, key: resource.key, writer: run.writers.get(resource.index)! },
    tally,
  );
  const extraction = new ExtractionGuard(tally, signal);
  const rawSamples: unknown[] = [];
  await run.ledger.startResource(resource.index);
  const kind = run.integration.kinds[resource.kind]!;
  try {
    for await (const page of extraction.pages(extractPages(kind, connection, resource.selectorOptions))) {
      rawSamples.push(...page.items.slice(0, 5 - rawSamples.length));
      const entities = await tally.time('transformMs', () => transformPage(page.items, resource, run.load.blueprints, tally));
      await loader.add(entities);
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
  const status = tally.stopped ? 'failed' : extraction.status;
  await run.ledger.saveRawSample(resource.kind, rawSamples);
  await run.ledger.finishResource(resource.index, status, tally, tally.stopped ?? extraction.error);
  run.metrics?.recordResource(run.integration.id, resource.kind, tally.counts);
  return {
    key: resource.key,
    status,
    ...(status === 'failed' ? { failedIn: tally.stopped ? 'transform' : 'extract' } : {}),
    counts: tally.counts,
  };
}
