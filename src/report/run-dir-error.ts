import { MopoError } from '../errors.js';

/** A path that is not a run or sweep directory, or a run whose files cannot be read. */
export class RunDirError extends MopoError {}
