/**
 * `mopo-eval checkpoint_path=<dir> [eval.episodes=10] [eval.seed=…] [key=value …]`:
 * evaluates the policy of a checkpoint in its environment with the config saved in
 * the checkpoint (overrides change it for this evaluation only), prints a table and
 * writes `eval.json` next to the checkpoint.
 */
import path from 'node:path';
import { ConfigView } from '../config/access.js';
import { applyValueOverrides } from '../config/compose.js';
import { parseOverride } from '../config/override-parser.js';
import { writeFileAtomic } from '../config/run-dir.js';
import { isDict, type ConfigDict } from '../config/value.js';
import { CheckpointError, ConfigError } from '../errors.js';
import { packageVersion } from '../paths.js';
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
recorded episodes go beside it, in eval.episodes.json.gz.`;

export function main(argv: string[]): Promise<number> {
  return runCommand('mopo-eval', USAGE, argv, async (flags) => {
    const { checkpointPath, outFile, overrides } = splitArguments(flags.overrides);
    await evaluateCheckpoint(checkpointPath, overrides, outFile);
  });
}

function splitArguments(args: string[]): { checkpointPath: string; outFile: string | null; overrides: string[] } {
  let checkpointPath: string | null = null;
  let outFile: string | null = null;
  const overrides: string[] = [];
  for (const arg of args) {
    const o = parseOverride(arg);
    const value = o.value?.kind === 'element' ? o.value.value : null;
    if (o.key === 'checkpoint_path' || o.key === 'eval_out') {
      if (typeof value !== 'string' || value === '') throw new ConfigError(`${o.key} needs a path, e.g. ${o.key}=outputs/2026-01-01/12-00-00`);
      if (o.key === 'checkpoint_path') checkpointPath = value;
      else outFile = value;
    } else overrides.push(arg);
  }
  if (checkpointPath === null) throw new ConfigError(`Missing checkpoint_path.\n\n${USAGE}`);
  return { checkpointPath, outFile, overrides };
}

async function evaluateCheckpoint(checkpointPath: string, overrides: string[], outFile: string | null): Promise<void> {
  const [{ readCheckpoint }, yaml] = await Promise.all([import('../train/checkpoint.js'), import('js-yaml')]);
  const checkpoint = readCheckpoint(checkpointPath);
  let saved: unknown;
  try {
    saved = yaml.load(checkpoint.config);
  } catch (error) {
    throw new CheckpointError(`Checkpoint ${checkpoint.dir}: config.yaml is not valid YAML (${(error as Error).message}).`);
  }
  if (!isDict(saved)) throw new CheckpointError(`Checkpoint ${checkpoint.dir}: config.yaml does not hold a config.`);
  const config = saved as ConfigDict;
  // Checkpoints written before eval.record existed: its shipped default, so `eval.record=N` applies to them too.
  if (isDict(config.eval) && !('record' in config.eval)) config.eval.record = 0;
  applyValueOverrides(config, overrides, 'mopo-eval');
  const view = new ConfigView(config);

  const [{ readRunOptions, readGymEnvOptions }, { envIdFor, makeEnv }, { initBackend }, { loadPolicy }, { evaluatePolicy }, { Rng }] = await Promise.all([
    import('../train/options.js'),
    import('../envs/registry.js'),
    import('../nn/backend.js'),
    import('../train/policy-loader.js'),
    import('../train/evaluate.js'),
    import('../util/rng.js'),
  ]);
  const { EpisodeRecorder, freshRecordingPath, writeRecording } = await import('../train/episode-recording.js');
  const run = readRunOptions(view);
  const recordCount = Math.min(view.int('eval.record', { min: 0 }), run.eval.episodes);
  // Only the keys every env group has: an online run's `env/gym` holds no dataset keys.
  const envOptions = readGymEnvOptions(view);
  const { manifest } = checkpoint;
  const envId = envIdFor(envOptions.id);
  if (envId !== manifest.envId) {
    throw new CheckpointError(
      `Checkpoint ${checkpoint.dir} holds a policy for ${manifest.envId} (observations ${manifest.observationSize}, actions ${manifest.actionSize}), ` +
        `but env.id=${envOptions.id} is ${envId}. Evaluate it in ${manifest.envId}, or pick a checkpoint trained on ${envId}.`,
    );
  }

  const backend = await initBackend(run.backend);
  const env = await makeEnv(envId, { seed: run.eval.seed, ...(envOptions.maxEpisodeSteps === null ? {} : { maxEpisodeSteps: envOptions.maxEpisodeSteps }) });
  const policy = await loadPolicy(checkpoint);
  try {
    if (policy.observationSize !== env.observationSize || policy.actionSize !== env.actionSize) {
      throw new CheckpointError(
        `Checkpoint ${checkpoint.dir}: the policy takes ${policy.observationSize} observations and gives ${policy.actionSize} actions; ${env.id} has ${env.observationSize} and ${env.actionSize}.`,
      );
    }
    console.log(`Checkpoint: ${checkpoint.dir} (${manifest.algo}, ${manifest.envId}, epoch ${manifest.epoch}, step ${manifest.step})`);
    console.log(`Backend: ${backend.description}`);
    const rng = new Rng(run.eval.seed, 31);
    const recorder = recordCount > 0 ? new EpisodeRecorder(recordCount) : undefined;
    const started = performance.now();
    const result = evaluatePolicy(env, (obs) => policy.act(obs, run.eval.deterministic, rng), {
      episodes: run.eval.episodes,
      seed: run.eval.seed,
      scoreId: envOptions.id,
      observer: recorder,
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(renderTable(result, run.eval, envOptions.id));

    const report = {
      checkpoint: checkpoint.dir,
      algo: manifest.algo,
      env_id: envOptions.id,
      gym_env: envId,
      step: manifest.step,
      epoch: manifest.epoch,
      episodes: result.episodes,
      deterministic: run.eval.deterministic,
      seed: run.eval.seed,
      return_mean: result.returnMean,
      return_std: result.returnStd,
      length_mean: result.lengthMean,
      normalized_score_mean: result.normalizedMean,
      normalized_score_std: result.normalizedStd,
      returns: result.returns,
      lengths: result.lengths,
      backend: backend.name,
      seconds,
      mopo_version: packageVersion(),
    };
    const target = path.resolve(outFile ?? path.join(checkpoint.dir, 'eval.json'));
    writeFileAtomic(target, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Wrote ${target}`);
    const recording = recorder?.recording({ checkpoint: checkpoint.dir, algo: manifest.algo, step: manifest.step, deterministic: run.eval.deterministic, mopo_version: packageVersion() });
    if (recording) {
      const file = freshRecordingPath(path.dirname(target), 'eval');
      writeRecording(file, recording);
      const count = recording.episodes.length;
      console.log(`Recorded ${count} episode${count === 1 ? '' : 's'} in ${file} (replay: mopo-view ${file})`);
    }
  } finally {
    policy.dispose();
    env.close();
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
