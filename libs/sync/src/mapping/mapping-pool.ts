import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ItemOutcome } from './entity-shape.js';
import { LIMITS } from './limits.js';
import type { MappingConfig } from './mapping.schema.js';
import type { ThreadTask } from './mapping-worker.js';
import type { MappingTask, PageResult } from './page-evaluation.js';
import type { Selection } from './select-expression.js';
import { newClockSlot, taskTime, type TaskTime } from './thread-clock.js';

/**
 * A page's outcomes, and why the rest of its resource must stop, when it must: items overran their
 * time LIMITS.timeoutsPerPage times (the items after that are NOT_EVALUATED).
 */
export type PageOutcome = PageResult;

export interface PageOptions {
  /**
   * Time for the page, its item-by-item retry included (by default LIMITS.pageMs plus LIMITS.itemMs
   * for each overrun it allows), counted as LIMITS.pageMs is; a request's remaining budget may be less.
   */
  readonly timeLimitMs?: number;
}

export interface MappingPoolOptions {
  /** Threads (by default the cores, at most 4). */
  readonly threads?: number;
  readonly pageMs?: number;
  readonly itemMs?: number;
  /**
   * Lower CPU priority of the threads (nice(2)); where requests must stay responsive (the api's
   * mapping tests) the threads yield to the event loop.
   */
  readonly niceIncrement?: number;
  /**
   * What a limit counts: the thread's CPU time (the default: a sync's pages, which a starved
   * machine must not fail), or wall time (a request's budget, which is how long its caller waits).
   */
  readonly limitClock?: 'thread-cpu' | 'wall';
}

/**
 * Evaluates mappings in worker threads (piscina), a whole page per task. A page that overruns its
 * time limit (by default the CPU time of its thread where the platform can read it, see
 * thread-clock.ts, else wall time; never more than LIMITS.starvedWallFactor times it in wall time) has
 * its thread terminated (the only way to stop a synchronous jq call, a long regex
 * or string operation, or an allocation loop) and replaced; its items are then evaluated one at a
 * time, each with LIMITS.itemMs, so the items that overrun fail alone with TIME_LIMIT and the
 * others are mapped. Threads have a bounded heap, and may run at a lower CPU priority than the
 * process's event loop, so evaluation can neither exhaust the process's memory nor starve requests.
 */
export class MappingPool {
  private readonly pool: Piscina<ThreadTask, unknown>;
  /** Tasks enter the pool only when a thread is free, so a time limit counts running time, not queueing. */
  private readonly free: Semaphore;
  private readonly pageMs: number;
  private readonly itemMs: number;
  private readonly wallClock: boolean;

  constructor(options: MappingPoolOptions = {}) {
    this.wallClock = options.limitClock === 'wall';
    const threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism()));
    this.pageMs = options.pageMs ?? LIMITS.pageMs;
    this.itemMs = options.itemMs ?? LIMITS.itemMs;
    this.free = new Semaphore(threads);
    this.pool = new Piscina({
      filename: workerFile(),
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 60_000,
      niceIncrement: options.niceIncrement ?? 0,
      resourceLimits: { maxOldGenerationSizeMb: LIMITS.workerHeapMb },
      // None of the process's flags: V8 sizing flags are refused for threads (resourceLimits sizes
      // them), and the worker is build output that must resolve libraries to their builds, whatever
      // export conditions this process has (tests run the sources).
      execArgv: [],
    });
  }

  async mapPage(
    mapping: { readonly hash: string; readonly config: MappingConfig },
    resource: number,
    items: readonly unknown[],
    options: PageOptions = {},
  ): Promise<PageOutcome> {
    const limit = options.timeLimitMs ?? this.pageMs + this.itemMs * LIMITS.timeoutsPerPage;
    const started = performance.now();
    const task = (part: readonly unknown[]): MappingTask => ({ kind: 'page', mapping, resource, items: part });
    const whole = await this.run(task(items), items.length === 1 ? limit : Math.min(this.pageMs, limit / 2));
    if (whole.ok) return whole.value as PageResult;
    if (items.length === 1) return { outcomes: [overrun(0, whole.failure)] };

    // Item by item, within what is left of the page's time (each item at most itemMs).
    const outcomes: ItemOutcome[] = [];
    let spentMs = whole.usedMs;
    let overruns = 0;
    let outOfTime = false;
    for (const [item, raw] of items.entries()) {
      const left = limit - spentMs;
      outOfTime ||= left <= 0 || performance.now() - started >= limit * LIMITS.starvedWallFactor;
      if (overruns >= LIMITS.timeoutsPerPage || outOfTime) {
        outcomes.push(notEvaluated(item, overruns));
        continue;
      }
      const single = await this.run(task([raw]), Math.min(this.itemMs, left));
      spentMs += single.usedMs;
      if (single.ok) {
        const result = single.value as PageResult;
        for (const outcome of result.outcomes) outcomes.push({ ...outcome, item });
        if (result.stopped) overruns++;
      } else {
        overruns++;
        outcomes.push(overrun(item, single.failure));
      }
    }
    if (overruns >= LIMITS.timeoutsPerPage) {
      return { outcomes, stopped: `the mapping overran its time limit on ${overruns} items of a page; the resource was stopped` };
    }
    if (outOfTime)
      return { outcomes, stopped: `the mapping took more than ${Math.round(limit)} ms for a page; the resource was stopped` };
    return { outcomes };
  }

  /** jq's compile errors for each expression. */
  async checkJq(
    expressions: ReadonlyArray<{ path: string; source: string }>,
  ): Promise<Array<{ field: string; message: string }>> {
    const result = await this.run({ kind: 'check-jq', expressions }, this.pageMs);
    if (!result.ok)
      return expressions.slice(0, 1).map((e) => ({ field: e.path, message: `could not be checked: ${result.failure.message}` }));
    return result.value as Array<{ field: string; message: string }>;
  }

  /** One expression over one value (the pool's page time limit stops a runaway one). */
  async select(language: 'jsonata' | 'jq', source: string, input: unknown): Promise<Selection> {
    const result = await this.run({ kind: 'select', language, source, input }, this.pageMs);
    if (!result.ok) return { error: result.failure.message };
    return result.value as Selection;
  }

  /** The ids of the pool's live threads (a terminated thread is replaced by one with a new id). */
  get threadIds(): number[] {
    return this.pool.threads.map((thread) => thread.threadId);
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }

  private async run(task: MappingTask, limitMs: number): Promise<TaskRun> {
    await this.free.acquire();
    try {
      return await this.runNow(task, limitMs);
    } finally {
      this.free.release();
    }
  }

  private async runNow(task: MappingTask, limitMs: number): Promise<TaskRun> {
    const controller = new AbortController();
    const clock = newClockSlot();
    const started = performance.now();
    // A starved machine stretches wall time, not work: the limit counts the thread's CPU time, and
    // wall time only as a backstop (a thread so starved it never reaches its limit still ends).
    let usedMs = 0;
    const measure = () => {
      const time: TaskTime = this.wallClock ? { state: 'no-clock' } : taskTime(clock);
      const wallMs = performance.now() - started;
      usedMs = Math.max(usedMs, time.state === 'cpu' ? time.ms : time.state === 'no-clock' ? wallMs : 0);
      return wallMs;
    };
    const timer = setInterval(
      () => {
        const wallMs = measure();
        if (usedMs >= limitMs || wallMs >= limitMs * LIMITS.starvedWallFactor) controller.abort();
      },
      Math.max(10, Math.min(100, limitMs / 10)),
    );
    try {
      const value = await this.pool.run({ task, clock }, { signal: controller.signal });
      measure();
      return { ok: true, value, usedMs };
    } catch (error) {
      // Aborted: piscina terminated the thread mid-task and starts a new one.
      if (controller.signal.aborted) {
        const failure = { timedOut: true, message: `the evaluation took more than ${limitMs} ms` };
        return { ok: false, failure, usedMs: Math.max(usedMs, limitMs) };
      }
      // The thread died (out of heap, jq aborted) or the task threw.
      measure();
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, failure: { timedOut: false, message: `the evaluation failed: ${message}` }, usedMs };
    } finally {
      clearInterval(timer);
    }
  }
}

/** First come, first served. */
class Semaphore {
  private readonly waiting: Array<() => void> = [];

  constructor(private available: number) {}

  acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available++;
  }
}

interface Overrun {
  readonly timedOut: boolean;
  readonly message: string;
}

/** A task's result and the time it counted against its limit (CPU time, or wall time without a thread clock). */
type TaskRun = ({ ok: true; value: unknown } | { ok: false; failure: Overrun }) & { readonly usedMs: number };

function overrun(item: number, failure: Overrun): ItemOutcome {
  return { item, outcome: 'failed', code: failure.timedOut ? 'TIME_LIMIT' : 'SIZE_LIMIT', reason: failure.message };
}

function notEvaluated(item: number, overruns: number): ItemOutcome {
  return {
    item,
    outcome: 'failed',
    code: 'NOT_EVALUATED',
    reason: overruns
      ? `not evaluated: the mapping overran its time limit on ${overruns} earlier items`
      : 'not evaluated: the time for this page was spent on earlier items',
  };
}

/**
 * The worker's compiled file. Under the build it sits beside this one; tests run the TypeScript
 * sources, whose worker is the build's (test/setup builds this library first).
 */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const built = here.endsWith('.ts') ? here.replace(/\/src\/(.*)\.ts$/, '/dist/$1.js') : here;
  const file = built.replace(/mapping-pool\.js$/, 'mapping-worker.js');
  if (!fs.existsSync(file)) throw new Error(`the mapping worker is not built (${file}); run npm run build`);
  return file;
}

let shared: MappingPool | undefined;

/** The process's pool, started on first use (idle threads end after a minute and never hold the process open). */
export function sharedMappingPool(): MappingPool {
  shared ??= new MappingPool();
  return shared;
}

/** Stops the process's pool (a later use starts a new one). */
export async function closeSharedMappingPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
