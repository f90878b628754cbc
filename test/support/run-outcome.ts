import type { SyncRunRecord } from '@mooring/persistence';
import type { RunOutcome } from '@mooring/sync';

/** The record of a run the attempt ended; an attempt that left the run running fails the test. */
export function endedRecord(outcome: RunOutcome): SyncRunRecord {
  if (!('record' in outcome)) throw new Error(`the attempt did not end the run: ${JSON.stringify(outcome)}`);
  return outcome.record;
}
