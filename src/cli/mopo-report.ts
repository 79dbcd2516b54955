/**
 * `mopo-report <run or sweep dir> [--out report.html]`: learning curves and the results
 * table of one run or a sweep, as a self-contained HTML page plus `results.md` and
 * `results.csv` beside it. Reads run directories only.
 */
import { Parser } from 'yargs/helpers';
import { MopoError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { reportError } from './report-error.js';

const USAGE = `Usage: mopo-report <run or sweep dir> [--out <file.html>] [--ignore <key>]…

Writes a self-contained HTML report (no network needed to open it) of a training run
or of a sweep (multirun/<date>/<time>/): learning curves with a min–max band over
seeds, and a results table, one row per configuration (the job's overrides without
seed=…), with the normalised score as mean ± std over seeds. The table is also
written as results.md and results.csv next to the HTML. A directory of run
directories (e.g. one per seed, started by hand) is read like a sweep.

  mopo-report outputs/2026-01-01/12-00-00
  mopo-report multirun/2026-01-01/12-00-00 --out reports/h-sweep.html
  mopo-report results/ --ignore algo.dynamics   # seeds that loaded one fitted model

Options:
  --out, -o   the HTML file to write (default: <dir>/report.html)
  --ignore    a config key whose overrides do not tell configurations apart (like
              seed=…; checkpoint.resume_from always is); repeat for more keys
  --help, -h  show this help
  --version   show the version`;

export async function main(argv: string[]): Promise<number> {
  try {
    const parsed = Parser(argv, {
      alias: { help: ['h'], out: ['o'] },
      boolean: ['help', 'version'],
      // Repeated --ignore flags collect into a list; not `array`, which would swallow the directory.
      string: ['out', 'ignore'],
      configuration: { 'parse-numbers': false, 'parse-positional-numbers': false, 'unknown-options-as-args': true, 'camel-case-expansion': false },
    });
    if (parsed.help === true) {
      console.log(USAGE);
      return 0;
    }
    if (parsed.version === true) {
      console.log(`mopo-report ${packageVersion()}`);
      return 0;
    }
    const args = parsed._.map(String);
    const unknown = args.find((a) => a.startsWith('-'));
    if (unknown !== undefined) throw new MopoError(`Unknown option '${unknown}'.\n\n${USAGE}`);
    if (args.length !== 1) throw new MopoError(`${args.length === 0 ? 'Give' : 'Give only'} one run or sweep directory.\n\n${USAGE}`);
    const out = parsed.out;
    if (out !== undefined && (typeof out !== 'string' || out === '')) throw new MopoError('--out needs a file name, e.g. --out report.html');

    const ignored = [parsed.ignore ?? []].flat().map(String);
    const badKey = ignored.find((key) => !/^[A-Za-z_][\w.-]*$/.test(key));
    if (badKey !== undefined) throw new MopoError(`--ignore needs a config key such as algo.dynamics, not '${badKey}'.`);

    const { writeReport } = await import('../report/write-report.js');
    const written = writeReport(args[0]!, out ?? null, packageVersion(), ignored);
    const { located } = written;
    for (const skipped of located.skipped) console.error(`mopo-report: left out ${skipped.reason}`);
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    const what = located.kind === 'sweep' ? `a sweep of ${count(located.runs.length, 'run')}` : 'one run';
    console.log(`Read ${what} in ${count(written.rows.length, 'configuration')}; ${count(written.chartCount, 'chart')}.`);
    console.log(`Wrote ${written.htmlFile}`);
    console.log(`Wrote ${written.markdownFile}`);
    console.log(`Wrote ${written.csvFile}`);
    return 0;
  } catch (error) {
    return reportError('mopo-report', error);
  }
}
