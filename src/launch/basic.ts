/**
 * The basic launcher (Hydra's default): the jobs run one after another in this
 * process. A Ctrl-C stops the running job with a checkpoint and ends the sweep; run
 * the sweep again to continue it.
 */
import { isMopoError } from '../errors.js';
import { runJobs, type JobOutcome } from '../cli/launch.js';
import { exitCodeFor } from '../train/interrupt.js';
import { finishedEarlier, isFinished, type Launcher } from './launcher.js';
import { writeJobOutcome } from './sweep-dir.js';

export const basicLauncher: Launcher<Record<string, never>> = {
  name: 'basic',
  readOptions: () => ({}),
  async launch(jobs, _options, context) {
    const todo = jobs.filter((job) => !isFinished(job));
    const ran = await runJobs(
      todo.map((job) => ({ ...job, overrides: job.task })),
      await context.loadTask(),
      {
        failFast: context.failFast,
        log: context.log,
        onOutcome: (outcome, error) => {
          if (outcome.runDir === null || outcome.status === 'not run') return;
          const previous = todo.find((job) => job.num === outcome.num)?.earlier;
          writeJobOutcome(outcome.runDir, {
            status: outcome.status === 'ok' ? 'ok' : outcome.status === 'interrupted' ? 'interrupted' : 'failed',
            seconds: outcome.seconds,
            error: outcome.error,
            exitCode: outcome.status === 'ok' ? 0 : isMopoError(error) ? error.exitCode : outcome.status === 'interrupted' ? exitCodeFor(null) : 1,
            endedAt: new Date().toISOString(),
            timeouts: previous?.timeouts ?? 0,
          });
        },
      },
    );
    return jobs.map((job) => (isFinished(job) ? finishedEarlier(job) : ran.find((o) => o.num === job.num)!)) satisfies JobOutcome[];
  },
};
