/**
 * Which environments exist and how ids name them. `makeEnv` accepts gym ids
 * (`HalfCheetah`, `HalfCheetah-v3`, `halfcheetah`, `CartPole-v1`, `cartpole`) and D4RL
 * dataset ids (`halfcheetah-medium-v2`), which name the env they were collected in.
 *
 * Adding an environment: write its file, a `MujocoEnvSpec` or a class with a static
 * `spec` (see env-spec.ts), and add it to `ENVS`.
 */
import { EnvError } from '../errors.js';
import { editDistance } from '../util/suggest.js';
import { Acrobot } from './acrobot.js';
import { actionRowWidth } from './action-space.js';
import { CartPole } from './cartpole.js';
import type { EnvClass, EnvSpec, MujocoEnvSpec } from './env-spec.js';
import { halfCheetah } from './half-cheetah.js';
import { hopper } from './hopper.js';
import { MountainCar } from './mountain-car.js';
import { MujocoEnv } from './mujoco-env.js';
import type { Env, EnvOptions, TerminationFn } from './types.js';
import { walker2d } from './walker2d.js';

/** A registry row: a MuJoCo task played by `MujocoEnv`, or an env class of its own. */
export type EnvRow = MujocoEnvSpec | EnvClass;

export const ENVS: readonly EnvRow[] = [halfCheetah, hopper, walker2d, CartPole, Acrobot, MountainCar];

/** What the registry tells about an env without creating it (nor loading MuJoCo). */
export interface RegisteredEnvSpec extends EnvSpec {
  /** Numbers in a stored action row: the box's size, or 1 for a discrete action's index. */
  readonly actionSize: number;
  /** Whether creating the env loads MuJoCo's WebAssembly module. */
  readonly usesMujoco: boolean;
}

/** Every registered env's spec, in registry order. */
export const ENV_SPECS: readonly RegisteredEnvSpec[] = ENVS.map(describe);

export type MakeEnvOptions = EnvOptions;

/** Creates an environment; a MuJoCo task loads MuJoCo on first use. The caller must `close()` it. */
export async function makeEnv(id: string, options: MakeEnvOptions = {}): Promise<Env> {
  const row = rowFor(id);
  return isEnvClass(row) ? new row(options) : MujocoEnv.create(row, options);
}

/** The spec behind an id: sizes, action space, time limit, termination rule. */
export function envSpecFor(id: string): RegisteredEnvSpec {
  return ENV_SPECS[ENVS.indexOf(rowFor(id))]!;
}

/** Canonical gym id for a gym or D4RL id: `walker2d-medium-replay-v2` → `Walker2d`, `CartPole-v1` → `CartPole`. */
export function envIdFor(datasetOrEnvId: string): string {
  return specOf(rowFor(datasetOrEnvId)).id;
}

export function terminationFnFor(datasetOrEnvId: string): TerminationFn {
  return specOf(rowFor(datasetOrEnvId)).terminationFn;
}

export function availableEnvIds(): string[] {
  return ENVS.map((row) => specOf(row).id);
}

function isEnvClass(row: EnvRow): row is EnvClass {
  return typeof row === 'function';
}

function specOf(row: EnvRow): EnvSpec {
  return isEnvClass(row) ? row.spec : row;
}

function describe(row: EnvRow): RegisteredEnvSpec {
  const spec = specOf(row);
  return {
    id: spec.id,
    ...(spec.version === undefined ? {} : { version: spec.version }),
    ...(spec.d4rlName === undefined ? {} : { d4rlName: spec.d4rlName }),
    observationSize: spec.observationSize,
    actionSpace: spec.actionSpace,
    actionSize: actionRowWidth(spec.actionSpace),
    maxEpisodeSteps: spec.maxEpisodeSteps,
    terminationFn: spec.terminationFn,
    usesMujoco: !isEnvClass(row),
  };
}

function rowFor(id: string): EnvRow {
  if (typeof id !== 'string' || id.trim() === '') {
    throw new EnvError(`An environment id must be a non-empty string, got ${JSON.stringify(id)}`);
  }
  const whole = lookupKey(id);
  const byName = ENVS.find((row) => {
    const spec = specOf(row);
    return lookupKey(spec.id) === whole || (spec.d4rlName !== undefined && lookupKey(spec.d4rlName) === whole);
  });
  if (byName !== undefined) {
    checkVersion(id, specOf(byName));
    return byName;
  }
  const head = lookupKey(d4rlHead(id));
  const byDataset = ENVS.find((row) => {
    const { d4rlName } = specOf(row);
    return d4rlName !== undefined && lookupKey(d4rlName) === head;
  });
  if (byDataset === undefined) throw new EnvError(unknownIdMessage(id));
  return byDataset;
}

/** `CartPole-v0` is another task than our `CartPole-v1` (a 200-step limit): refuse it rather than run v1. */
function checkVersion(id: string, spec: EnvSpec): void {
  const asked = /-v(\d+)$/i.exec(id.trim());
  if (asked === null || spec.version === undefined || Number(asked[1]) === spec.version) return;
  throw new EnvError(
    `${id.trim()} is not available: mopo has ${displayName(spec)}, whose rules (e.g. the time limit) differ from other versions.`,
  );
}

/** Case, punctuation and a trailing `-vN` do not matter: `Half_Cheetah-v3` ~ `halfcheetah`. */
function lookupKey(name: string): string {
  return name
    .trim()
    .replace(/-v\d+$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** A D4RL id's env is the part before the first dash: `hopper`-medium-replay-v2. */
function d4rlHead(id: string): string {
  return id.trim().split('-')[0]!;
}

/** `HalfCheetah`, or `CartPole-v1` for an env that follows one gym version. */
function displayName(spec: EnvSpec): string {
  return spec.version === undefined ? spec.id : `${spec.id}-v${spec.version}`;
}

function unknownIdMessage(id: string): string {
  const suggestion = closestId(id);
  const specs = ENVS.map(specOf);
  const d4rlExample = specs.find((spec) => spec.d4rlName !== undefined)?.d4rlName;
  return (
    `Unknown environment "${id}".` +
    (suggestion ? ` Did you mean "${suggestion}"?` : '') +
    ` Available: ${specs.map(displayName).join(', ')}` +
    (d4rlExample === undefined ? '.' : ` (or a D4RL dataset id such as ${d4rlExample}-medium-v2).`)
  );
}

/** The nearest known spelling, keeping a D4RL id's dataset part: `hoper-medium-v2` → `hopper-medium-v2`. */
function closestId(id: string): string | null {
  const trimmed = id.trim();
  const dash = trimmed.indexOf('-');
  const datasetPart = dash >= 0 && !/^-v\d+$/i.test(trimmed.slice(dash)) ? trimmed.slice(dash) : '';
  const typed = lookupKey(datasetPart ? d4rlHead(trimmed) : trimmed);
  let best: { text: string; distance: number } | null = null;
  for (const spec of ENVS.map(specOf)) {
    const candidate = datasetPart
      ? spec.d4rlName === undefined
        ? null
        : { key: spec.d4rlName, text: spec.d4rlName + datasetPart }
      : { key: spec.id, text: displayName(spec) };
    if (candidate === null) continue;
    const distance = editDistance(typed, lookupKey(candidate.key));
    if (best === null || distance < best.distance) best = { text: candidate.text, distance };
  }
  const tolerance = Math.max(2, Math.floor(typed.length / 3));
  return best !== null && best.distance <= tolerance ? best.text : null;
}
