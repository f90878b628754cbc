import { JqEngineBroken } from './jq/jq-resource.js';
import { runMappingTask, type MappingTask, type MappingTaskResult } from './page-evaluation.js';

/** The entry point of a mapping worker thread (piscina calls it per task). */
export default async function mappingWorker(task: MappingTask): Promise<MappingTaskResult> {
  try {
    return await runMappingTask(task);
  } catch (error) {
    // An aborted jq instance never recovers: end this thread so the pool starts a fresh one.
    if (error instanceof JqEngineBroken) setImmediate(() => process.exit(1));
    throw error;
  }
}
