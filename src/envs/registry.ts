/**
 * Which environments exist and how ids name them. `makeEnv` accepts gym ids
 * (`HalfCheetah`, `HalfCheetah-v3`, `halfcheetah`) and D4RL dataset ids
 * (`halfcheetah-medium-v2`), which name the env they were collected in.
 *
 * Adding an environment: write its `EnvSpec` file and list it in `ENV_SPECS`.
 */
import { EnvError } from '../errors.js';
import { editDistance } from '../util/suggest.js';
import type { EnvSpec } from './env-spec.js';
import { halfCheetah } from './half-cheetah.js';
import { hopper } from './hopper.js';
import { MujocoEnv, type MujocoEnvOptions } from './mujoco-env.js';
import type { TerminationFn } from './types.js';
import { walker2d } from './walker2d.js';

export const ENV_SPECS: readonly EnvSpec[] = [halfCheetah, hopper, walker2d];

export type MakeEnvOptions = MujocoEnvOptions;

/** Creates an environment; loads MuJoCo on first use. The caller must `close()` it. */
export async function makeEnv(id: string, options: MakeEnvOptions = {}): Promise<MujocoEnv> {
  return MujocoEnv.create(envSpecFor(id), options);
}

/** The spec behind an id, without loading MuJoCo (sizes, time limit, termination rule). */
export function envSpecFor(id: string): EnvSpec {
  if (typeof id !== 'string' || id.trim() === '') {
    throw new EnvError(`An environment id must be a non-empty string, got ${JSON.stringify(id)}`);
  }
  const spec = findSpec(id);
  if (spec === undefined) throw new EnvError(unknownIdMessage(id));
  return spec;
}

/** Canonical gym id for a gym or D4RL id: `walker2d-medium-replay-v2` → `Walker2d`. */
export function envIdFor(datasetOrEnvId: string): string {
  return envSpecFor(datasetOrEnvId).id;
}

export function terminationFnFor(datasetOrEnvId: string): TerminationFn {
  return envSpecFor(datasetOrEnvId).terminationFn;
}

export function availableEnvIds(): string[] {
  return ENV_SPECS.map((spec) => spec.id);
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

function findSpec(id: string): EnvSpec | undefined {
  const whole = lookupKey(id);
  const head = lookupKey(d4rlHead(id));
  return (
    ENV_SPECS.find((spec) => lookupKey(spec.id) === whole || lookupKey(spec.d4rlName) === whole) ??
    ENV_SPECS.find((spec) => lookupKey(spec.d4rlName) === head)
  );
}

function unknownIdMessage(id: string): string {
  const suggestion = closestId(id);
  const example = `${ENV_SPECS[0]!.d4rlName}-medium-v2`;
  return (
    `Unknown environment "${id}".` +
    (suggestion ? ` Did you mean "${suggestion}"?` : '') +
    ` Available: ${availableEnvIds().join(', ')} (or a D4RL dataset id such as ${example}).`
  );
}

/** The nearest known spelling, keeping a D4RL id's dataset part: `hoper-medium-v2` → `hopper-medium-v2`. */
function closestId(id: string): string | null {
  const trimmed = id.trim();
  const dash = trimmed.indexOf('-');
  const datasetPart = dash >= 0 && !/^-v\d+$/i.test(trimmed.slice(dash)) ? trimmed.slice(dash) : '';
  const typed = lookupKey(datasetPart ? d4rlHead(trimmed) : trimmed);
  let best: { text: string; distance: number } | null = null;
  for (const spec of ENV_SPECS) {
    const candidates = datasetPart
      ? [{ key: spec.d4rlName, text: spec.d4rlName + datasetPart }]
      : [{ key: spec.id, text: spec.id }];
    for (const { key, text } of candidates) {
      const distance = editDistance(typed, lookupKey(key));
      if (best === null || distance < best.distance) best = { text, distance };
    }
  }
  const tolerance = Math.max(2, Math.floor(typed.length / 3));
  return best !== null && best.distance <= tolerance ? best.text : null;
}

