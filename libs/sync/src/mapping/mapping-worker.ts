import { runMappingTask, type MappingTask, type MappingTaskResult } from './page-evaluation.js';
import { markTaskStart, type ClockSlot } from './thread-clock.js';

/** What the pool sends a thread: the task, and the slot through which the pool reads the thread's CPU time. */
export interface ThreadTask {
  readonly task: MappingTask;
  readonly clock: ClockSlot;
}

/** The entry point of a mapping worker thread (piscina calls it per task). */
export default function mappingWorker({ task, clock }: ThreadTask): Promise<MappingTaskResult> {
  markTaskStart(clock);
  return runMappingTask(task);
}
