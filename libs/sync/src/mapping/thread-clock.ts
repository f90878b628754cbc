import fs from 'node:fs';

// The CPU time of the thread running one mapping task, so a page's limit counts the work the
// thread did rather than the wall time a starved machine (a load of 15 on 2 cores) stretches.
// Node has no per-thread CPU clock before 22.x/23.9 (`process.threadCpuUsage`) and none readable
// from another thread, so on Linux the thread says which one it is (/proc/thread-self) and the pool
// reads that thread's utime + stime from /proc/self/task/<tid>/stat. Elsewhere the slot says "no
// clock" and the pool counts wall time, as before.

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;
const NOT_STARTED = 0;
const NO_CLOCK = -1;

/** One task's slot, shared with its thread: [thread id or NOT_STARTED / NO_CLOCK, CPU ticks at the task's start]. */
export type ClockSlot = Int32Array;

export function newClockSlot(): ClockSlot {
  return new Int32Array(new SharedArrayBuffer(8));
}

/** In the mapping thread, as a task starts: which thread this is, and its CPU time so far. */
export function markTaskStart(slot: ClockSlot): void {
  const own = readStat('/proc/thread-self/stat');
  if (!own) return void Atomics.store(slot, 0, NO_CLOCK);
  Atomics.store(slot, 1, own.ticks);
  Atomics.store(slot, 0, own.tid);
}

export type TaskTime =
  { readonly state: 'not-started' } | { readonly state: 'cpu'; readonly ms: number } | { readonly state: 'no-clock' };

/** In the pool: the CPU time the task's thread has used since the task started. */
export function taskTime(slot: ClockSlot): TaskTime {
  const tid = Atomics.load(slot, 0);
  if (tid === NOT_STARTED) return { state: 'not-started' };
  if (tid === NO_CLOCK) return { state: 'no-clock' };
  const now = readStat(`/proc/self/task/${tid}/stat`);
  // The thread is gone (terminated between reads): nothing more is running.
  if (!now) return { state: 'cpu', ms: 0 };
  return { state: 'cpu', ms: ((now.ticks - Atomics.load(slot, 1)) * 1000) / TICKS_PER_SECOND };
}

/** A thread's id and utime + stime, from a /proc stat line (the name in parentheses may hold spaces). */
function readStat(file: string): { tid: number; ticks: number } | undefined {
  let line: string;
  try {
    line = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  const tid = Number.parseInt(line, 10);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isSafeInteger(tid) && tid > 0 && Number.isFinite(ticks) ? { tid, ticks } : undefined;
}
