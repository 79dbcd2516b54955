/**
 * BEAR's settings: every parameter of d3rlpy's `BEAR(...)` signature (the 0.x API our
 * users come from), under `algo.` with d3rlpy's default. configs/algo/bear.yaml states
 * the same defaults (a test keeps them equal) and lists where a d3rlpy name maps to one
 * of ours (actor_learning_rate → actor.optimizer.lr, batch_size → per_rank_batch_size, …).
 *
 * Keys d3rlpy added after that signature, which the algorithm needs spelled out, take
 * its later defaults: `mmd_kernel` (laplacian), the behaviour model's KL weight (0.5)
 * and log-std clamp of the policy (−20, 2).
 *
 * Parameters for machinery mopo does not have (bootstrapped critics, a shared encoder,
 * batch normalisation, scalers, augmentation, distributional critics) are keys too, so a
 * d3rlpy config reads the same; any value but d3rlpy's default is refused with a
 * one-line reason rather than silently ignored.
 */
import type { ConfigView } from '../config/access.js';
import { ConfigError } from '../errors.js';
import { actorCriticFields } from './actor-critic-options.js';
import { integer, nullable, number, oneOf, OptionsSchema, requireSizes, type Field, type Values } from './option-schema.js';

export const MMD_KERNELS = ['laplacian', 'gaussian'] as const;
export type MmdKernel = (typeof MMD_KERNELS)[number];

export const BEAR_SETTINGS = new OptionsSchema(
  'BearOptions',
  {
    ...actorCriticFields({ actorLr: 3e-4, criticLr: 3e-4 }),
    /** Clamp of the policy's log-std (d3rlpy's NormalPolicy). */
    logStdMin: number('actor.log_std_min', -20),
    logStdMax: number('actor.log_std_max', 2),
    /** Critics in the ensemble (d3rlpy `n_critics`). */
    criticCount: integer('n_critics', 2, { min: 1 }),
    /** The behaviour model, a conditional VAE: hidden layers of its encoder and of its decoder. */
    imitatorHiddenSize: integer('imitator.hidden_size', 256, { min: 1 }),
    imitatorLayers: integer('imitator.num_layers', 2, { min: 1 }),
    /** Latent width; null → 2·|A| (d3rlpy, BCQ). */
    latentSize: nullable(integer('imitator.latent_size', 1, { min: 1 })),
    /** Weight of KL(q(z|s,a) ‖ N(0, I)) in the behaviour model's loss (d3rlpy `vae_kl_weight`). */
    klWeight: number('imitator.kl_weight', 0.5, { min: 0 }),
    imitatorLr: number('imitator.optimizer.lr', 1e-3, { above: 0 }),
    /** Entropy temperature: its start and learning rate (0 keeps it fixed). */
    initialTemperature: number('initial_temperature', 1, { above: 0 }),
    temperatureLr: number('temp_learning_rate', 3e-4, { min: 0 }),
    /** Lagrange multiplier α of the MMD constraint: its start, learning rate (0 keeps it fixed) and threshold ε. */
    initialAlpha: number('initial_alpha', 1, { above: 0 }),
    alphaLr: number('alpha_learning_rate', 1e-3, { min: 0 }),
    alphaThreshold: number('alpha_threshold', 0.05),
    /** Critic target mix λ·min + (1 − λ)·max over the ensemble. */
    lam: number('lam', 0.75, { min: 0, max: 1 }),
    /** Actions sampled per state, for the MMD and for the critic target. */
    actionSamples: integer('n_action_samples', 4, { min: 1 }),
    mmdKernel: oneOf('mmd_kernel', 'laplacian', MMD_KERNELS),
    mmdSigma: number('mmd_sigma', 20, { above: 0 }),
    /** Epochs (of total_steps / num_epochs updates) in which the actor only follows the behaviour model. */
    rlStartEpoch: integer('rl_start_epoch', 0, { min: 0 }),
    /** The loop's length, read here too so the warm-up can be counted in updates. */
    totalSteps: integer('total_steps', 1_000_000, { min: 1 }),
    numEpochs: integer('num_epochs', 1000, { min: 1 }),
    /** Critic updates per actor (and temperature, α, target) update. */
    updateActorInterval: integer('update_actor_interval', 1, { min: 1 }),
    /** ε of every Adam optimiser. */
    adamEpsilon: number('eps', 1e-8, { above: 0 }),
    qFuncType: onlyDefault('q_func_type', 'mean' as string, 'only mean (a critic of the expected return) is implemented; qr, iqn and fqf are distributional critics mopo does not have'),
    bootstrap: onlyDefault('bootstrap', false as boolean, 'bootstrapped critics are not implemented'),
    shareEncoder: onlyDefault('share_encoder', false as boolean, 'the actor and critics do not share an encoder in mopo'),
    useBatchNorm: onlyDefault('use_batch_norm', false as boolean, 'batch normalisation is not implemented'),
    scaler: onlyDefault('scaler', null as string | null, 'observations are used as they are (no scaler)'),
    augmentation: onlyDefault('augmentation', [] as string[], 'data augmentation is not implemented'),
    /** Has an effect only with augmentation; kept so d3rlpy configs read the same. */
    augmentations: integer('n_augmentations', 1, { min: 1 }),
  },
  [
    {
      key: 'logStdMin',
      holds: (o) => o.logStdMin < o.logStdMax,
      message: (o, name) => `${o.logStdMin} must be below ${name('logStdMax')} (${o.logStdMax})`,
    },
  ],
);

export type BearSettings = Values<typeof BEAR_SETTINGS.fields>;

export interface BearOptions extends Partial<BearSettings> {
  observationSize: number;
  actionSize: number;
  /** Seeds the initial weights and every sample an update draws. Default 0. */
  seed?: number;
}

export type ResolvedBearOptions = Omit<BearSettings, 'latentSize'> & { observationSize: number; actionSize: number; seed: number; latentSize: number };

export function resolveBearOptions(options: BearOptions): ResolvedBearOptions {
  const { observationSize, actionSize, seed = 0, ...given } = options;
  requireSizes('BearOptions', { observationSize, actionSize });
  const settings = BEAR_SETTINGS.resolve(given);
  return { observationSize, actionSize, ...settings, latentSize: settings.latentSize ?? 2 * actionSize, seed };
}

/** Updates before RL starts: `rl_start_epoch` epochs of total_steps / num_epochs updates. */
export function warmupUpdates(o: Pick<BearSettings, 'rlStartEpoch' | 'totalSteps' | 'numEpochs'>): number {
  return o.rlStartEpoch * Math.floor(o.totalSteps / o.numEpochs);
}

/** A d3rlpy parameter whose only accepted value is its default; anything else is refused with `why`. */
function onlyDefault<T>(key: string, defaultValue: T, why: string): Field<T> {
  const same = (value: unknown) => JSON.stringify(value) === JSON.stringify(defaultValue);
  const problem = (value: unknown) => (same(value) ? null : `must be ${JSON.stringify(defaultValue)}: ${why}`);
  return {
    key,
    defaultValue,
    read(view: ConfigView): T {
      const value = view.value(key);
      const wrong = problem(value);
      if (wrong) throw new ConfigError(`Invalid value for '${view.prefix === '' ? '' : `${view.prefix}.`}${key}': ${JSON.stringify(value)} ${wrong}.`);
      return value as T;
    },
    problem,
  };
}
