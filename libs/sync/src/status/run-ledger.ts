import { scrubSecrets } from '@mooring/platform';
import type {
  ErrorSample,
  ResourceCounts,
  ResourceStart,
  RunFinish,
  SyncCatalogRepository,
  SyncRunRecord,
  SyncRunRepository,
  SyncRunResourceRecord,
} from '@mooring/persistence';
import type { ResourceTally } from '../tally/resource-tally.js';
import type { RunObserver, StageEvent } from './stage-events.js';

const PROGRESS_INTERVAL_MS = 1_000;
/** Raw items kept per kind for mapping tests (Port's "raw data examples"). */
export const RAW_SAMPLES_PER_KIND = 5;

/**
 * One run's entries in the run ledger (sync_runs and sync_run_resources): it begins and finishes the
 * run (the state machine's transitions the engine asks for) and observes the resources' progress.
 */
export class RunLedger implements RunObserver {
  private lastProgress = 0;
  /** The attempt this ledger began; later writes that end or delete are fenced by it. */
  private attempt: number | undefined;

  constructor(
    private readonly runs: SyncRunRepository,
    private readonly catalog: SyncCatalogRepository,
    readonly ids: { readonly orgId: string; readonly installationId: string; readonly runId: string },
  ) {}

  find(): Promise<SyncRunRecord | null> {
    return this.runs.find(this.ids.orgId, this.ids.runId);
  }

  async begin(
    mappingHash: string,
    resources: readonly ResourceStart[],
  ): Promise<{ attempt: number; completed: SyncRunResourceRecord[]; keysLost: boolean } | null> {
    const started = await this.runs.begin(this.ids.orgId, this.ids.runId, mappingHash, resources);
    this.attempt = started?.attempt;
    return started;
  }

  async observe(event: StageEvent): Promise<void> {
    switch (event.type) {
      case 'resource.started':
        return this.startResource(event.resource.index);
      case 'page.loaded':
        return this.progress(event.resource.index, event.tally.counts);
      case 'resource.finished':
        await this.saveRawSample(event.resource.kind, event.rawSamples);
        return this.finishResource(event.resource.index, event.status, event.tally, event.error);
      case 'resource.refused':
        return this.finishResource(event.resource.index, 'failed', event.tally, `${event.error.code}: ${event.error.message}`);
      case 'reingest.finished':
        for (const [index, samples] of event.result.samples) await this.appendSamples(index, samples);
        return;
      default:
        return;
    }
  }

  startResource(index: number): Promise<void> {
    return this.runs.startResource(this.ids.orgId, this.ids.runId, index);
  }

  /** Live counts, at most once a second per run (metrics once per page, never per item). */
  async progress(index: number, counts: ResourceCounts): Promise<void> {
    const now = Date.now();
    if (now - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = now;
    await this.runs.recordProgress(this.ids.orgId, this.ids.runId, index, counts);
  }

  finishResource(
    index: number,
    status: 'completed' | 'failed' | 'aborted' | 'skipped',
    tally: ResourceTally,
    error: string | null,
  ): Promise<void> {
    return this.runs.finishResource(this.ids.orgId, this.ids.runId, index, {
      status,
      counts: tally.counts,
      errorSamples: tally.samples,
      error,
    });
  }

  appendSamples(index: number, samples: readonly ErrorSample[]): Promise<void> {
    return this.runs.appendErrorSamples(this.ids.orgId, this.ids.runId, index, samples);
  }

  lastTrustedFetched(): Promise<Map<string, number>> {
    return this.runs.lastTrustedFetched(this.ids.orgId, this.ids.installationId, this.ids.runId);
  }

  /** Keeps the first raw items of a kind, with any registered secret scrubbed out. */
  async saveRawSample(kind: string, items: readonly unknown[]): Promise<void> {
    if (!items.length) return;
    const scrubbed = JSON.parse(scrubSecrets(JSON.stringify(items.slice(0, RAW_SAMPLES_PER_KIND)))) as unknown[];
    await this.catalog.saveRawSample(this.ids.orgId, this.ids.installationId, this.ids.runId, kind, scrubbed);
  }

  /** Ends the run, unless a later attempt has taken it over ('superseded': the later one owns it). */
  async finish(finish: RunFinish): Promise<SyncRunRecord | 'superseded'> {
    const ended = await this.runs.finish(this.ids.orgId, this.ids.runId, finish, this.attempt);
    const record = (await this.find())!;
    if (!ended && this.attempt !== undefined && record.attempt !== this.attempt) return 'superseded';
    return record;
  }

  /** The attempt this ledger began, if it did. */
  get currentAttempt(): number | undefined {
    return this.attempt;
  }
}
