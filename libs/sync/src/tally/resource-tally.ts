import type { ErrorSample, ResourceCounts } from '@mooring/persistence';
import { PhaseTimeline, nowMs, type Phase } from './phase-timeline.js';

/** How many failures of each resource keep their details (the first ones, per Ocean's examples). */
export const MAX_ERROR_SAMPLES = 10;

/** One resource's counters in Ocean's vocabulary, its phase durations and its first error samples. */
export class ResourceTally {
  readonly counts: ResourceCounts = {
    fetched: 0,
    fetchFailed: 0,
    transformed: 0,
    filteredOut: 0,
    transformFailed: 0,
    ingested: 0,
    notChanged: 0,
    ingestFailed: 0,
    extractMs: 0,
    transformMs: 0,
    loadMs: 0,
  };
  readonly samples: ErrorSample[] = [];
  /** When each phase first started and last ended, for the resource's trace. */
  readonly timeline = new PhaseTimeline();
  /** Set when the resource must stop (e.g. its mapping keeps hitting the time guardrail). */
  stopped: string | null = null;

  sample(sample: ErrorSample): void {
    if (this.samples.length < MAX_ERROR_SAMPLES) this.samples.push(sample);
  }

  /** Adds the time `fn` takes to a phase (overlapping work is counted in each phase it belongs to). */
  async time<T>(phase: 'extractMs' | 'transformMs' | 'loadMs', fn: () => Promise<T>): Promise<T> {
    const started = nowMs();
    try {
      return await fn();
    } finally {
      const ended = nowMs();
      this.counts[phase] += Math.round(ended - started);
      this.timeline.mark(PHASES[phase], started, ended);
    }
  }
}

const PHASES: Readonly<Record<'extractMs' | 'transformMs' | 'loadMs', Phase>> = {
  extractMs: 'extract',
  transformMs: 'transform',
  loadMs: 'load',
};
