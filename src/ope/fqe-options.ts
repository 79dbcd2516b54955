/**
 * Fitted Q Evaluation's settings, the `ope.*` keys of `mopo-eval … ope=fqe`, with
 * d3rlpy FQEConfig's defaults: Adam at 1e-4, batches of 100, γ = 0.99, one critic
 * whose target is copied every 100 updates, 2×256 ReLU layers (d3rlpy's default
 * encoder), and the 100 000 updates in epochs of 10 000 of d3rlpy's FQE example.
 *
 * Declared once here (no config file: mopo-eval reads a checkpoint's config, and these
 * keys extend it); `ope.<key>=value` overrides are applied to the defaults and then
 * read with these rules.
 */
import type { ConfigDict } from '../config/value.js';
import { integer, nullable, number, OptionsSchema, type Values } from '../algos/option-schema.js';
import type { Field } from '../algos/option-schema.js';

export const OPE_METHODS = ['fqe'] as const;
export type OpeMethod = (typeof OPE_METHODS)[number];

function text(key: string): Field<string> {
  return {
    key,
    defaultValue: '',
    read: (view) => view.string(key),
    problem: (value) => (typeof value === 'string' && value !== '' ? null : 'must be a non-empty string'),
  };
}

export const FQE_SETTINGS = new OptionsSchema('FqeOptions', {
  /** The data to fit on: an HDF5 file or a D4RL id; null → the dataset the checkpoint was trained on. */
  dataset: nullable(text('dataset')),
  /** Updates in total, and per epoch (one point of the training curve each). */
  steps: integer('n_steps', 100_000, { min: 1 }),
  stepsPerEpoch: integer('n_steps_per_epoch', 10_000, { min: 1 }),
  lr: number('learning_rate', 1e-4, { above: 0 }),
  batchSize: integer('batch_size', 100, { min: 1 }),
  gamma: number('gamma', 0.99, { min: 0, below: 1 }),
  /** Critics; the target is their minimum, the estimate their mean (d3rlpy). */
  criticCount: integer('n_critics', 1, { min: 1 }),
  /** Updates between copies of the critics into their targets. */
  targetUpdateInterval: integer('target_update_interval', 100, { min: 1 }),
  hiddenSize: integer('hidden_size', 256, { min: 1 }),
  layers: integer('num_layers', 2, { min: 1 }),
  seed: integer('seed', 0, { min: 0 }),
  /** Soft OPC's success threshold on an episode's return; null → the median return of the dataset's episodes. */
  returnThreshold: nullable(number('return_threshold', 0)),
});

export type FqeSettings = Values<typeof FQE_SETTINGS.fields>;

/** The defaults as a config section (`ope.*`), for overrides to be applied to. */
export function fqeDefaultsConfig(): ConfigDict {
  const section: ConfigDict = {};
  for (const field of Object.values(FQE_SETTINGS.fields)) section[field.key] = field.defaultValue as ConfigDict[string];
  return section;
}
