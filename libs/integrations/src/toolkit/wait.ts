import { setTimeout as sleep } from 'node:timers/promises';

/** Waits `ms`, or rejects with the signal's own reason (a time limit, a shutdown) when it aborts first. */
export async function wait(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    signal.throwIfAborted();
    throw error;
  }
}
