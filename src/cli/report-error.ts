/**
 * What a user sees when a command fails. Their own mistakes (MopoError) get the
 * message alone; anything else is a bug in mopo and says so. The stack trace is
 * shown only with MOPO_FULL_ERROR=1.
 */
import { isMopoError } from '../errors.js';

export function reportError(program: string, error: unknown): number {
  const full = process.env.MOPO_FULL_ERROR === '1';
  if (isMopoError(error)) {
    console.error(full && error.stack ? error.stack : `${program}: ${error.message}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (full && error instanceof Error && error.stack) console.error(error.stack);
  else {
    console.error(`${program}: unexpected error: ${message}`);
    console.error('This is a bug in mopo. Set the environment variable MOPO_FULL_ERROR=1 for a complete stack trace, and please report it.');
  }
  return 1;
}
