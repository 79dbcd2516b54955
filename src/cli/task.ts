/**
 * The work a `mopo` job does once its config and run directory are ready. Heavy
 * modules load here, on demand, never at start-up.
 */
import type { Task } from './launch.js';

export async function loadTrainTask(): Promise<Task> {
  return async ({ runDir }) => {
    console.log(`Training is not available yet in mopo ${''}— the config is complete and was written to ${runDir}, but no model was trained.`);
  };
}
