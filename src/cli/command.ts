/** The frame of the smaller commands (mopo-eval, mopo-collect): flags, --help, --version, errors. */
import { packageVersion } from '../paths.js';
import { parseFlags, type CliFlags } from './flags.js';
import { reportError } from './report-error.js';

export async function runCommand(name: string, usage: string, argv: string[], body: (flags: CliFlags) => Promise<void>): Promise<number> {
  try {
    const flags = parseFlags(argv);
    if (flags.help) {
      console.log(usage);
      return 0;
    }
    if (flags.version) {
      console.log(`${name} ${packageVersion()}`);
      return 0;
    }
    await body(flags);
    return 0;
  } catch (error) {
    return reportError(name, error);
  }
}
