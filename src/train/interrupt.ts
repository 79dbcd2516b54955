/**
 * Ctrl-C during training: the first one asks the loop to finish its current step,
 * save a checkpoint and exit with 130; a second one quits at once (checkpoints are
 * written under a temporary name and renamed, so quitting mid-save loses nothing
 * that was complete).
 */
export class InterruptWatch {
  private requestedAt: string | null = null;
  private readonly aborter = new AbortController();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.requestedAt !== null) {
      process.stderr.write(`\n${signal} again: quitting now.\n`);
      process.exit(130);
    }
    this.requestedAt = signal;
    this.aborter.abort();
    this.notify(`\n${signal} received: finishing the current step and saving a checkpoint (press Ctrl-C again to quit at once).`);
  };

  constructor(
    private readonly notify: (line: string) => void,
    /** Listen for SIGINT and SIGTERM (the commands); a library caller stops a run with `request` instead. */
    signals = true,
  ) {
    if (!signals) return;
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  get requested(): boolean {
    return this.requestedAt !== null;
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
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
