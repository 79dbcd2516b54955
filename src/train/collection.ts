/**
 * Dataset collection with a trained (or uniformly random) policy: D4RL's recipe for
 * its random, medium and expert datasets. The file records the command, the policy
 * and the checkpoint it came from.
 */
import type { ConfigView } from '../config/access.js';
import { uniformRandomPolicy, type BehaviourPolicy } from '../data/behaviour-policy.js';
import { collectDataset } from '../data/collect.js';
import { findD4rlTask, normalizedScore } from '../data/d4rl-registry.js';
import { writeD4rlFile } from '../data/writer.js';
import { envIdFor } from '../envs/registry.js';
import { describeRecord, envSourceFromConfig, envSourceFromRecord, sameEnv, type EnvRecord, type EnvSource } from './env-source.js';
import { CheckpointError, ConfigError } from '../errors.js';
import { initBackend } from '../nn/backend.js';
import type { Checkpoint } from './checkpoint.js';
import { InterruptWatch } from './interrupt.js';
import { loadPolicy, type LoadedPolicy } from './policy-loader.js';
import { BACKENDS } from './options.js';
import { createProgress, formatNumber, lineProgress } from './progress.js';

/** A stochastic policy with a density reports log π(a|s) for `infos/action_log_probs`, as D4RL's SAC did. */
function behaviourOf(loaded: LoadedPolicy, deterministic: boolean): BehaviourPolicy['act'] {
  const { sample } = loaded;
  if (deterministic || !sample) return (observation, rng) => ({ action: loaded.act(observation, deterministic, rng) });
  return (observation, rng) => {
    const { actions, logProbs } = sample(observation, rng);
    return { action: actions, logProb: logProbs[0]! };
  };
}

/** The env to collect in: a user env (`env.wrapper`), `env.id`, or the checkpoint's own; it must be the checkpoint's. */
async function collectionEnv(config: ConfigView, checkpoint: Checkpoint | null): Promise<EnvSource> {
  const recorded: EnvRecord | null = checkpoint ? ((checkpoint.manifest.env as EnvRecord | undefined) ?? { kind: 'registry', id: checkpoint.manifest.envId }) : null;
  const requestedId = config.has('env.id') ? config.optional('env.id', (k) => config.string(k)) : null;
  const wrapper = config.has('env.wrapper') && !config.isUnset('env.wrapper');
  if (!wrapper && requestedId === null) {
    if (!recorded) throw new ConfigError('Give env.id=<env> (or env.wrapper._target_ for your own env), or checkpoint_path=<run> to collect in its env.');
    return envSourceFromRecord(recorded, checkpoint!.dir);
  }
  const source = wrapper ? await envSourceFromConfig(config) : await envSourceFromRecord({ kind: 'registry', id: envIdFor(requestedId!) }, '');
  if (recorded && !sameEnv(recorded, source.record)) {
    throw new CheckpointError(`Checkpoint ${checkpoint!.dir} holds a policy for ${describeRecord(recorded)}, but ${requestedId === null ? 'env.wrapper' : `env.id=${requestedId}`} is ${describeRecord(source.record)}.`);
  }
  return source;
}

export async function runCollection(
  config: ConfigView,
  checkpoint: Checkpoint | null,
  options: { out: string; seed: number; compression: number; metadata: Record<string, string | number | boolean>; log?: (line: string) => void },
): Promise<string> {
  const steps = config.int('collect.steps', { min: 1 });
  const deterministic = config.bool('collect.deterministic');
  const source = await collectionEnv(config, checkpoint);
  const envId = source.spec.id;
  // null: the env's own time limit (1000 for the MuJoCo tasks, 500 for CartPole-v1).
  const maxEpisodeSteps = config.optional('env.max_episode_steps', (k) => config.int(k, { min: 1 })) ?? undefined;
  const env = await source.make({ seed: options.seed, ...(maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps }) });
  // The command line: a bar on a terminal, lines in a pipe; the library's callback gets the lines.
  const progress = options.log ? lineProgress(options.log) : await createProgress('auto');
  const watch = new InterruptWatch((line) => progress.log(line));
  const disposables: { dispose(): void }[] = [{ dispose: () => env.close() }, watch, { dispose: () => progress.stop() }];
  try {
    let policy: BehaviourPolicy;
    if (checkpoint === null) policy = uniformRandomPolicy(env.actionSpace);
    else {
      const backend = await initBackend(config.oneOf('backend', BACKENDS));
      progress.log(`Backend: ${backend.description}`);
      const loaded = await loadPolicy(checkpoint);
      disposables.push(loaded);
      const name = `${checkpoint.manifest.algo} step ${checkpoint.manifest.step} (${deterministic ? 'deterministic' : 'stochastic'})`;
      policy = { name, act: behaviourOf(loaded, deterministic) };
    }
    progress.log(`Collecting ${steps} steps of ${policy.name} in ${envId} (seed ${options.seed}) …`);
    const started = performance.now();
    // A bar on a terminal; in a pipe a line at every tenth of the steps.
    const bar = progress.bar('collect', steps, { unit: 'steps', lines: 'tenth', speed: true });
    let done = 0;
    const collected = await collectDataset(env, policy, {
      steps,
      seed: options.seed,
      metadata: options.metadata,
      shouldStop: () => watch.requested,
      onEpisode: (episode) => {
        done += episode.length;
        bar.update(done, { episodes: episode.index + 1, 'last return': episode.return });
      },
    });
    bar.update(steps, { episodes: collected.episodeReturns.length, 'last return': collected.episodeReturns.at(-1) });
    bar.stop();
    progress.stop();
    await writeD4rlFile(options.out, collected.contents, { compression: options.compression });
    const returns = collected.episodeReturns;
    const mean = returns.reduce((a, b) => a + b, 0) / Math.max(1, returns.length);
    const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / Math.max(1, returns.length));
    const score = findD4rlTask(envId) && returns.length > 0 ? `, D4RL score ${formatNumber(normalizedScore(envId, mean))}` : '';
    const seconds = (performance.now() - started) / 1000;
    return (
      `Wrote ${options.out}: ${steps} steps, ${returns.length} finished episodes in ${seconds.toFixed(1)} s.\n` +
      `Behaviour policy return: ${returns.length > 0 ? `${formatNumber(mean)} ± ${formatNumber(std)}${score}` : 'no episode finished'}`
    );
  } finally {
    for (const d of disposables.reverse()) d.dispose();
  }
}
