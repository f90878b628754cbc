export type Phase = 'extract' | 'transform' | 'load';

/**
 * When each phase of a resource first started and last ended. A resource's phases interleave page
 * by page (a page is mapped while the next is fetched and the previous written), so each phase is
 * traced as one span from its first to its last activity.
 */
export class PhaseTimeline {
  private readonly windows = new Map<Phase, { start: number; end: number }>();

  mark(phase: Phase, start: number, end: number): void {
    const window = this.windows.get(phase);
    if (!window) this.windows.set(phase, { start, end });
    else window.end = Math.max(window.end, end);
  }

  /** The phase's first start and last end (wall-clock ms), if it ran at all. */
  window(phase: Phase): { readonly start: number; readonly end: number } | undefined {
    return this.windows.get(phase);
  }
}

/** Wall-clock milliseconds with sub-millisecond precision, as span times take them. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
