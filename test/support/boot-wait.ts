import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess } from './processes.js';

// What the boot-wait specs share: built processes started while PostgreSQL or Redis is down, which
// must wait for it quietly, then work, or give up with one clear line.

/** A line of a stack trace: an expected outage must never print one. */
export const STACK_FRAME = /^\s+at /m;

/** Waits (generously: the machine may be loaded) for `condition`, failing at once if `process` exits meanwhile. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  process: AppProcess,
  timeoutMs = 90_000,
): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); await sleep(100)) {
    const gone = process.child.exitCode !== null ? `${process.name} exited ${process.child.exitCode}` : undefined;
    if (gone || Date.now() > deadline)
      throw new Error(`${what} did not happen (${gone ?? 'timed out'}):\n${process.output.slice(-3000)}`);
  }
}

/** The process's JSON log lines (pino); anything else it printed is kept as `{ raw }`. */
export function logLines(process: AppProcess): Record<string, unknown>[] {
  return process.output
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { raw: line };
      }
    });
}

/** The line a process logged when it gave up, if any. */
export function fatalLine(process: AppProcess): Record<string, unknown> | undefined {
  return logLines(process).find((line) => line['level'] === 'fatal');
}
