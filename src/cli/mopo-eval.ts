/**
 * `mopo-eval checkpoint_path=<dir> [eval.episodes=10] [eval.seed=…] [key=value …]`:
 * evaluates the policy of a checkpoint in its environment with the config saved in
 * the checkpoint (overrides change it for this evaluation only), prints a table and
 * writes `eval.json` next to the checkpoint, or `eval_1.json`, `eval_2.json`, … when an
 * earlier evaluation is there: results are never replaced.
 * `ope=fqe [ope.<key>=…]` adds an estimate from data alone (Fitted Q Evaluation,
 * src/ope/) beside the simulator's result.
 */
import { linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseOverride } from '../config/override-parser.js';
import { ConfigError } from '../errors.js';
import { readOpeRequest, type OpeRequest } from '../ope/ope-request.js';
import type { CheckpointEvaluation } from '../train/checkpoint-evaluation.js';
import { runCommand } from './command.js';

const USAGE = `Usage: mopo-eval checkpoint_path=<dir> [overrides]

Evaluates the policy saved in a checkpoint (a checkpoint directory, or a run directory
for its newest checkpoint) with deterministic episodes in its MuJoCo environment.

  mopo-eval checkpoint_path=outputs/2026-01-01/12-00-00
  mopo-eval checkpoint_path=<dir> eval.episodes=20 eval.seed=7
  mopo-eval checkpoint_path=<dir> eval.deterministic=false backend=cpu
  mopo-eval checkpoint_path=<dir> eval.record=2    # keep 2 episodes for mopo-view

Overrides change the config saved with the checkpoint for this evaluation only:
eval.episodes, eval.seed, eval.deterministic, eval.record, env.max_episode_steps, backend, …
Results are printed and written to <checkpoint>/eval.json (eval_out=<file> to choose);
earlier results are kept: when that file exists, the next free eval_1.json, eval_2.json, …
Recorded episodes go beside it, in eval.episodes.json.gz.

Off-policy evaluation from data, no simulator needed (eval.episodes=0 skips it):
  mopo-eval checkpoint_path=<dir> ope=fqe [ope.dataset=<file or D4RL id>]
Fitted Q Evaluation of the policy with d3rlpy's defaults (ope.n_steps=100000,
ope.n_steps_per_epoch=10000, ope.learning_rate=1e-4, ope.batch_size=100, ope.gamma=0.99,
ope.n_critics=1, ope.target_update_interval=100, ope.hidden_size=256, ope.num_layers=2,
ope.seed=0, ope.return_threshold=null: the median episode return). ope.dataset defaults
to the data the checkpoint was trained on. Reports the estimated discounted return from
the data's initial states, soft OPC and the FQE curve in eval.json's "ope", and, when
episodes run, their discounted return and FQE's relative error.`;

export function main(argv: string[]): Promise<number> {
  return runCommand('mopo-eval', USAGE, argv, async (flags) => {
    const { checkpointPath, outFile, overrides, opeMethod, opeOverrides } = splitArguments(flags.overrides);
    const ope = readOpeRequest(opeMethod, opeOverrides);
    await evaluateCheckpoint(checkpointPath, overrides, outFile, ope);
  });
}

function splitArguments(args: string[]): { checkpointPath: string; outFile: string | null; overrides: string[]; opeMethod: string | null; opeOverrides: string[] } {
  let checkpointPath: string | null = null;
  let outFile: string | null = null;
  let opeMethod: string | null = null;
  const overrides: string[] = [];
  const opeOverrides: string[] = [];
  for (const arg of args) {
    const o = parseOverride(arg);
    const value = o.value?.kind === 'element' ? o.value.value : null;
    if (o.key === 'ope') {
      if (typeof value !== 'string' || value === '') throw new ConfigError('ope needs a method, e.g. ope=fqe');
      opeMethod = value;
    } else if (o.key.startsWith('ope.')) {
      opeOverrides.push(arg);
    } else if (o.key === 'checkpoint_path' || o.key === 'eval_out') {
      if (typeof value !== 'string' || value === '') throw new ConfigError(`${o.key} needs a path, e.g. ${o.key}=outputs/2026-01-01/12-00-00`);
      if (o.key === 'checkpoint_path') checkpointPath = value;
      else outFile = value;
    } else overrides.push(arg);
  }
  if (checkpointPath === null) throw new ConfigError(`Missing checkpoint_path.\n\n${USAGE}`);
  return { checkpointPath, outFile, overrides, opeMethod, opeOverrides };
}

async function evaluateCheckpoint(checkpointPath: string, overrides: string[], outFile: string | null, ope: OpeRequest | null): Promise<void> {
  const log = (line: string) => console.log(line);
  const show = (evaluation: CheckpointEvaluation) => console.log(renderTable(evaluation.result, evaluation.options, evaluation.scoreId));
  let evaluation: { checkpoint: { dir: string }; report: Record<string, unknown>; recording: CheckpointEvaluation['recording'] };
  if (ope) {
    const { evaluateOffPolicy } = await import('../ope/run-fqe.js');
    const outcome = await evaluateOffPolicy(checkpointPath, overrides, ope, { log, onSimulated: show });
    evaluation = { ...outcome, recording: outcome.simulator?.recording ?? null };
  } else {
    const { evaluateCheckpointFile } = await import('../train/checkpoint-evaluation.js');
    const simulated = await evaluateCheckpointFile(checkpointPath, overrides, { log });
    show(simulated);
    evaluation = simulated;
  }
  const wanted = path.resolve(outFile ?? path.join(evaluation.checkpoint.dir, 'eval.json'));
  const target = writeNewFile(wanted, `${JSON.stringify(evaluation.report, null, 2)}\n`);
  console.log(target === wanted ? `Wrote ${target}` : `Wrote ${target} (${path.basename(wanted)} holds an earlier evaluation, kept)`);
  if (evaluation.recording) {
    const { freshRecordingPath, writeRecording } = await import('../train/episode-recording.js');
    const file = freshRecordingPath(path.dirname(target), 'eval');
    writeRecording(file, evaluation.recording);
    const count = evaluation.recording.episodes.length;
    console.log(`Recorded ${count} episode${count === 1 ? '' : 's'} in ${file} (replay: mopo-view ${file})`);
  }
}

function renderTable(
  result: { episodes: number; returns: number[]; lengths: number[]; returnMean: number; returnStd: number; lengthMean: number; normalizedMean: number | null; normalizedStd: number | null },
  evalOptions: { deterministic: boolean; seed: number },
  scoreId: string,
): string {
  const f = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(1) : v.toFixed(2));
  const rows: [string, string, string, string, string][] = [
    ['', 'mean', 'std', 'min', 'max'],
    ['return', f(result.returnMean), f(result.returnStd), f(Math.min(...result.returns)), f(Math.max(...result.returns))],
    ['length', f(result.lengthMean), '', String(Math.min(...result.lengths)), String(Math.max(...result.lengths))],
  ];
  if (result.normalizedMean !== null) rows.push([`score (${scoreId})`, f(result.normalizedMean), f(result.normalizedStd!), '', '']);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  const kind = evalOptions.deterministic ? 'deterministic' : 'stochastic';
  return [`${result.episodes} ${kind} episodes (seeds ${evalOptions.seed}…${evalOptions.seed + result.episodes - 1})`, ...lines].join('\n');
}

/**
 * Writes `text` to `file`, or to the first free `<name>_1<ext>`, `<name>_2<ext>`, … when
 * it exists, and returns the path written. The file appears complete or not at all (a
 * hard link of a finished temporary file), and two evaluations at once never pick the
 * same name.
 */
function writeNewFile(file: string, text: string): string {
  const { dir, name, ext } = path.parse(file);
  const temporary = path.join(dir, `.${name}${ext}.tmp-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(temporary, text);
  try {
    for (let n = 0; ; n++) {
      const candidate = n === 0 ? file : path.join(dir, `${name}_${n}${ext}`);
      try {
        linkSync(temporary, candidate);
        return candidate;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}
