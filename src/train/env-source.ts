/**
 * Where a run's environment comes from: a registered task (`env.id`), or the user's own
 * (`env.wrapper._target_`, Hydra's instantiate; a MuJoCo model of theirs with
 * `env.model_xml`). Either way the run sees one `EnvSource`: the spec (sizes, action
 * space, time limit, rollout termination), a way to make instances, the env's own
 * dataset when it has one, and a record a checkpoint keeps to rebuild it — which
 * refuses when the user's module is gone or has changed since.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigView } from '../config/access.js';
import { instantiate, isClass, moduleDigest, resolveTarget, type Target } from '../config/instantiate.js';
import { deepClone, isDict, type ConfigDict } from '../config/value.js';
import { datasetFromUser } from '../data/user-dataset.js';
import type { OfflineDataset } from '../data/offline-dataset.js';
import { actionRowWidth } from '../envs/action-space.js';
import { isMujocoSpec, wrapUserEnv, type CustomEnv } from '../envs/custom-env.js';
import type { MujocoEnvSpec } from '../envs/env-spec.js';
import { envSpecFor, makeEnv, type RegisteredEnvSpec } from '../envs/registry.js';
import type { Env, EnvOptions } from '../envs/types.js';
import { CheckpointError, ConfigError, EnvError } from '../errors.js';

export type EnvRecord =
  | { kind: 'registry'; id: string }
  | { kind: 'custom'; wrapper: ConfigDict; file: string; exportName: string; sha256: string; baseDir: string; modelXml: string | null }
  /** Given to the library's train() as an object or factory: nothing on disk to rebuild it from. */
  | { kind: 'code'; id: string };

export interface EnvSource {
  spec: RegisteredEnvSpec;
  record: EnvRecord;
  /** A new instance; the caller closes it. */
  make(options?: EnvOptions): Promise<Env>;
  /** The user env's own data (`getDataset`), or null when it has none (or is a registered task). */
  dataset: ((options: { validationSplit: number; seed: number }) => Promise<OfflineDataset>) | null;
  /** For logs: what the env is and where it comes from. */
  description: string;
  /** Whether a snapshot mid-episode captures everything (a user env needs snapshot()/restore()). */
  exactSnapshots: boolean;
  /** One instance only (an env object given in code): `make` returns it every time. */
  singleInstance: boolean;
}

/** The environment the config's `env` section names. */
export async function envSourceFromConfig(config: ConfigView): Promise<EnvSource> {
  const env = config.at('env');
  const wrapper = env.has('wrapper') ? env.value('wrapper') : null;
  if (wrapper === null) return registered(env.string('id'));
  if (!isDict(wrapper)) throw new ConfigError(`env.wrapper must be a mapping with _target_, got ${JSON.stringify(wrapper)}.`);
  const modelXml = env.has('model_xml') ? env.optional('model_xml', (k) => path.resolve(env.string(k))) : null;
  const target = resolveTarget(env.string('wrapper._target_'), process.cwd());
  return custom({ kind: 'custom', wrapper: deepClone(wrapper), file: target.file, exportName: target.exportName, sha256: moduleDigest(target), baseDir: process.cwd(), modelXml }, target);
}

/** The environment a checkpoint was trained in, rebuilt from its record. */
export async function envSourceFromRecord(record: EnvRecord, checkpointDir: string): Promise<EnvSource> {
  if (record.kind === 'registry') return registered(record.id);
  if (record.kind === 'code') {
    throw new CheckpointError(`Checkpoint ${checkpointDir} was trained in an env given in code (${record.id}); evaluate it from code with evaluate({ checkpoint, env }).`);
  }
  if (!existsSync(record.file)) throw new CheckpointError(`Checkpoint ${checkpointDir} was trained in an env from ${record.file}, which no longer exists.`);
  const target: Target = { module: record.file, exportName: record.exportName, file: record.file };
  if (moduleDigest(target) !== record.sha256) {
    throw new CheckpointError(`Checkpoint ${checkpointDir} was trained in an env from ${record.file}, which has changed since (its SHA-256 differs); restore that version of the module to use this checkpoint.`);
  }
  // The module is addressed by its absolute path now, whatever directory this runs in.
  return custom({ ...record, wrapper: { ...record.wrapper, _target_: `${record.file}:${record.exportName}` } }, target);
}

/** Whether a checkpoint's env is the one a config names (same registered task, or same module and contents). */
export function sameEnv(a: EnvRecord, b: EnvRecord): boolean {
  if (a.kind === 'registry' && b.kind === 'registry') return a.id === b.id;
  if (a.kind === 'code' && b.kind === 'code') return a.id === b.id;
  if (a.kind === 'custom' && b.kind === 'custom') return a.file === b.file && a.exportName === b.exportName && a.sha256 === b.sha256;
  return false;
}

export function describeRecord(record: EnvRecord): string {
  if (record.kind === 'custom') return `${record.file}:${record.exportName} (SHA-256 ${record.sha256.slice(0, 12)}…)`;
  return record.kind === 'code' ? `${record.id} (an env given in code)` : record.id;
}

/**
 * An env given in code (the library's `train({ env })`): a class or factory that makes
 * one (called anew for each instance), or an env object (one instance: fine for offline
 * training and evaluation, not for online training, which needs a second for evaluation).
 */
export async function envSourceFromCode(given: unknown): Promise<EnvSource> {
  const owner = 'the env given in code';
  const construct = typeof given === 'function' ? given : null;
  const makeOne = async (options: EnvOptions = {}): Promise<CustomEnv> => {
    const made = construct ? await (isClass(construct) ? new (construct as new (o: EnvOptions) => unknown)(options) : (construct as (o: EnvOptions) => unknown)(options)) : given;
    return wrapUserEnv(made, owner, options.maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps: options.maxEpisodeSteps });
  };
  const probe = await makeOne();
  const spec = userEnvSpec(probe);
  const single = construct === null;
  const hasDataset = typeof probe.user.getDataset === 'function';
  if (!single) probe.close();
  return {
    spec,
    record: { kind: 'code', id: spec.id },
    // One object: always the same instance, never closed by mopo (its owner closes it).
    make: single ? async () => Object.assign(Object.create(probe) as CustomEnv, { close: () => {} }) : makeOne,
    dataset: hasDataset
      ? async (options) => {
          const env = single ? probe : await makeOne();
          try {
            return datasetFromUser(await env.user.getDataset!(options), owner, spec);
          } finally {
            if (!single) env.close();
          }
        }
      : null,
    description: `${spec.id} (${owner})`,
    exactSnapshots: probe.canSnapshot,
    singleInstance: single,
  };
}


function registered(id: string): EnvSource {
  const spec = envSpecFor(id);
  return {
    spec,
    record: { kind: 'registry', id: spec.id },
    make: (options) => makeEnv(spec.id, options),
    dataset: null,
    description: spec.id,
    exactSnapshots: true,
    singleInstance: false,
  };
}

async function custom(record: Extract<EnvRecord, { kind: 'custom' }>, target: Target): Promise<EnvSource> {
  const owner = `${path.basename(record.file)}${record.exportName === 'default' ? '' : `:${record.exportName}`}`;
  const made = await instantiate(record.wrapper, record.baseDir);
  if (isMujocoSpec(made)) return customMujoco(record, owner, made);
  const probe = wrapUserEnv(made, owner);
  const spec = userEnvSpec(probe);
  const hasDataset = typeof probe.user.getDataset === 'function';
  const exactSnapshots = probe.canSnapshot;
  probe.close();
  const make = async (options: EnvOptions = {}): Promise<CustomEnv> =>
    wrapUserEnv(await instantiate(record.wrapper, record.baseDir), owner, options.maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps: options.maxEpisodeSteps });
  return {
    spec,
    record,
    make,
    dataset: hasDataset
      ? async (options) => {
          const env = await make();
          try {
            return datasetFromUser(await env.user.getDataset!(options), owner, spec);
          } finally {
            env.close();
          }
        }
      : null,
    description: `${spec.id} (${owner}, ${target.module === record.file ? record.file : target.module})`,
    exactSnapshots,
    singleInstance: false,
  };
}

/** A user's MuJoCo task: their rules played on mopo's MuJoCo runtime, the model from `env.model_xml` or the spec. */
function customMujoco(record: Extract<EnvRecord, { kind: 'custom' }>, owner: string, rules: Parameters<typeof isMujocoSpec>[0] & object): EnvSource {
  const given = rules as Partial<MujocoEnvSpec>;
  const modelXml = record.modelXml ? readFileSync(record.modelXml, 'utf8') : given.modelXml;
  if (!modelXml) throw new EnvError(`${owner} gives MuJoCo rules but no model: set env.model_xml=<file.xml> or give modelXml in the spec.`);
  for (const key of ['id', 'observationSize', 'actionSpace', 'maxEpisodeSteps', 'frameSkip', 'resetNoise', 'terminationFn'] as const) {
    if (given[key] === undefined) throw new EnvError(`${owner}: a MuJoCo spec needs '${key}' (see src/envs/env-spec.ts, MujocoEnvSpec).`);
  }
  const spec = { ...(given as MujocoEnvSpec), modelXml, d4rlName: given.d4rlName ?? '' };
  return {
    spec: {
      id: spec.id,
      observationSize: spec.observationSize,
      actionSpace: spec.actionSpace,
      actionSize: actionRowWidth(spec.actionSpace),
      maxEpisodeSteps: spec.maxEpisodeSteps,
      terminationFn: spec.terminationFn,
      usesMujoco: true,
    },
    record,
    make: async (options) => (await import('../envs/mujoco-env.js')).MujocoEnv.create(spec, options),
    dataset: null,
    description: `${spec.id} (MuJoCo rules from ${owner}, model ${record.modelXml ?? 'in the spec'})`,
    exactSnapshots: true,
    singleInstance: false,
  };
}

/** What a user env states about itself, as the registry states it for its tasks. */
function userEnvSpec(env: CustomEnv): RegisteredEnvSpec {
  return {
    id: env.id,
    observationSize: env.observationSize,
    actionSpace: env.actionSpace,
    actionSize: env.actionSize,
    maxEpisodeSteps: env.maxEpisodeSteps,
    terminationFn: env.terminationFn,
    usesMujoco: false,
  };
}

/** For a config check without running anything: a user env's module must at least exist. */
export function checkEnvTarget(config: ConfigView): void {
  const env = config.at('env');
  const wrapper = env.has('wrapper') ? env.value('wrapper') : null;
  if (wrapper === null) return;
  if (!isDict(wrapper)) throw new ConfigError(`env.wrapper must be a mapping with _target_, got ${JSON.stringify(wrapper)}.`);
  resolveTarget(env.string('wrapper._target_'), process.cwd());
  if (env.has('model_xml') && !env.isUnset('model_xml') && !existsSync(path.resolve(env.string('model_xml')))) {
    throw new ConfigError(`env.model_xml: ${path.resolve(env.string('model_xml'))} does not exist.`);
  }
}

