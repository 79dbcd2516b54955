/**
 * Stopping a run without losing it. The first of these signals asks the loop to finish
 * its current step, save a checkpoint and exit with 128 + the signal's number (the code
 * a shell, and SLURM, report for a job ended by that signal):
 *
 *   SIGINT   Ctrl-C                                                         → 130
 *   SIGTERM  `kill`, or SLURM preempting, requeueing or cancelling the job  → 143
 *   SIGUSR1  SLURM's warning before the time limit (`--signal=B:USR1@…`)   → 138
 *
 * A second signal quits at once (checkpoints are written under a temporary name and
 * renamed, so quitting mid-save loses nothing that was complete). A requeued job that
 * runs again in the same directory continues from that checkpoint (frame.ts).
 */
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGUSR1'] as const;

/** Why each signal arrives, for the line a person reads in the log. */
const REASONS: Record<(typeof SIGNALS)[number], string> = {
  SIGINT: '',
  SIGTERM: ' (stop requested: kill, or SLURM preempting, requeueing or cancelling the job)',
  SIGUSR1: " (SLURM's warning that the time limit is near)",
};

/** The exit code of a run that stopped on `signal`; 130, as for Ctrl-C, when stopped from code. */
export function exitCodeFor(signal: NodeJS.Signals | null): number {
  return 128 + (signal ? constants.signals[signal] : constants.signals.SIGINT);
}

export class InterruptWatch {
  private requestedAt: string | null = null;
  private signalled: NodeJS.Signals | null = null;
  private readonly aborter = new AbortController();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.requestedAt !== null) {
      process.stderr.write(`\n${signal} again: quitting now.\n`);
      process.exit(exitCodeFor(signal));
    }
    this.requestedAt = signal;
    this.signalled = signal;
    this.aborter.abort();
    const again = signal === 'SIGINT' ? ' (press Ctrl-C again to quit at once)' : '';
    this.notify(`\n${signal} received${REASONS[signal as (typeof SIGNALS)[number]]}: finishing the current step and saving a checkpoint${again}.`);
  };

  constructor(
    private readonly notify: (line: string) => void,
    /** Listen for the signals above (the commands); a library caller stops a run with `request` instead. */
    signals = true,
  ) {
    if (!signals) return;
    for (const signal of SIGNALS) process.on(signal, this.onSignal);
  }

  get requested(): boolean {
    return this.requestedAt !== null;
  }

  /** The signal that stopped the run (null when none did, or when stopped by `request`). */
  get stoppedBy(): NodeJS.Signals | null {
    return this.signalled;
  }

  /** The exit code for a run stopped by this watch. */
  get exitCode(): number {
    return exitCodeFor(this.signalled);
  }

  /** Lets tests and callers ask for a stop without a signal. */
  request(reason = 'stop requested'): void {
    this.requestedAt ??= reason;
    this.aborter.abort();
  }

  /** Aborted on the first interrupt: hand it to work that can stop midway (downloads). */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  dispose(): void {
    for (const signal of SIGNALS) process.off(signal, this.onSignal);
  }
}
