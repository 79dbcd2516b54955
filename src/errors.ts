/**
 * Errors that a user caused and can fix: a typo in an override, a missing dataset,
 * a checkpoint from another environment. The command-line entry points print their
 * message alone (no stack trace unless MOPO_FULL_ERROR=1) and exit with `exitCode`.
 * Anything else that escapes is a bug in mopo and is reported with its stack.
 */
export class MopoError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Composition, override or interpolation problems. */
export class ConfigError extends MopoError {}

/** A dataset that is missing, unreadable or inconsistent; the message names the file and key. */
export class DatasetError extends MopoError {}

/** A checkpoint that is missing, corrupt or does not fit the current setup. */
export class CheckpointError extends MopoError {}

/** An environment that cannot be created or was used wrongly. */
export class EnvError extends MopoError {}

/** A backend or numerical-setup problem the user can act on (e.g. asked for a backend that cannot load). */
export class BackendError extends MopoError {}

/** The run was interrupted (Ctrl-C: exit code 130; another signal: 128 + its number). */
export class InterruptedError extends MopoError {
  constructor(message = 'Interrupted', exitCode = 130) {
    super(message, { exitCode });
  }
}

export function isMopoError(error: unknown): error is MopoError {
  return error instanceof MopoError;
}
