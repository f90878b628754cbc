import { runMappingTask, type MappingTask, type MappingTaskResult } from './page-evaluation.js';

/** The entry point of a mapping worker thread (piscina calls it per task). */
export default function mappingWorker(task: MappingTask): Promise<MappingTaskResult> {
  return runMappingTask(task);
}
