/**
 * Collects a D4RL-layout dataset by running a policy in an environment:
 *
 *   node dist/scripts/collect-dataset.js --env HalfCheetah --policy random \
 *     --steps 20000 --seed 0 --out data/halfcheetah-random-small.hdf5
 *
 * The exact command is stored in the file's `metadata/command`, so a shipped dataset
 * says how to make it again.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectDataset } from '../src/data/collect.js';
import { uniformRandomPolicy, type BehaviourPolicy } from '../src/data/behaviour-policy.js';
import { findD4rlTask, normalizedScore } from '../src/data/d4rl-registry.js';
import { writeD4rlFile } from '../src/data/writer.js';
import { makeEnv } from '../src/envs/index.js';
import { DatasetError, isMopoError } from '../src/errors.js';

const USAGE =
  'Usage: node dist/scripts/collect-dataset.js --env <HalfCheetah|Hopper|Walker2d> --policy random ' +
  '--steps <n> --seed <n> --out <file.hdf5> [--compression <0-9>]';

interface Arguments {
  env: string;
  policy: string;
  steps: number;
  seed: number;
  out: string;
  compression: number;
}

function parseArguments(argv: string[]): Arguments {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: 'string' },
        policy: { type: 'string', default: 'random' },
        steps: { type: 'string' },
        seed: { type: 'string', default: '0' },
        out: { type: 'string' },
        compression: { type: 'string', default: '4' },
      },
    }));
  } catch (error) {
    throw new DatasetError(`${(error as Error).message}\n${USAGE}`);
  }
  const required = (name: 'env' | 'steps' | 'out'): string => {
    const value = values[name];
    if (value === undefined || value === '') throw new DatasetError(`Missing --${name}.\n${USAGE}`);
    return value;
  };
  return {
    env: required('env'),
    policy: checkPolicyName(values.policy!),
    steps: integerOption('steps', required('steps'), 1),
    seed: integerOption('seed', values.seed!, 0),
    out: required('out'),
    compression: integerOption('compression', values.compression!, 0, 9),
  };
}

function integerOption(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    const range = max < Number.MAX_SAFE_INTEGER ? `from ${min} to ${max}` : `from ${min}`;
    throw new DatasetError(`--${name} must be an integer ${range}, got "${text}".`);
  }
  return value;
}

const POLICIES: Record<string, (actionSize: number) => BehaviourPolicy> = {
  random: uniformRandomPolicy,
};

function checkPolicyName(name: string): string {
  if (Object.hasOwn(POLICIES, name)) return name;
  throw new DatasetError(
    `Unknown --policy "${name}". Available: ${Object.keys(POLICIES).join(', ')} ` +
      '(saved policies will follow once training exists).',
  );
}

function packageVersion(): string {
  // Compiled to dist/scripts/, run from scripts/ under a TS runner: look upwards for package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++, dir = dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not here
    }
  }
  return 'unknown';
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

async function main(argv: string[]): Promise<void> {
  const args = parseArguments(argv);
  const env = await makeEnv(args.env);
  try {
    const policy = POLICIES[args.policy]!(env.actionSize);
    const started = performance.now();
    const collected = collectDataset(env, policy, {
      steps: args.steps,
      seed: args.seed,
      metadata: {
        command: ['node', 'dist/scripts/collect-dataset.js', ...argv].map(shellQuote).join(' '),
        mopo_version: packageVersion(),
      },
    });
    const seconds = (performance.now() - started) / 1000;
    await writeD4rlFile(args.out, collected.contents, { compression: args.compression });

    console.log(`Wrote ${args.out}: ${args.steps} steps, ${(statSync(args.out).size / 1e6).toFixed(2)} MB`);
    const returns = collected.episodeReturns;
    if (returns.length > 0) {
      const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
      const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
      const score = findD4rlTask(env.id) ? ` (D4RL normalised ${normalizedScore(env.id, mean).toFixed(1)})` : '';
      console.log(`${returns.length} finished episodes, return ${mean.toFixed(1)} ± ${std.toFixed(1)}${score}`);
    }
    if (collected.unfinishedEpisodeSteps > 0) {
      console.log(`The last episode was cut after ${collected.unfinishedEpisodeSteps} steps (marked as a timeout).`);
    }
    console.log(`Collection took ${seconds.toFixed(1)} s (${Math.round(args.steps / seconds)} steps/s).`);
  } finally {
    env.close();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (!isMopoError(error) || process.env['MOPO_FULL_ERROR'] === '1') throw error;
  console.error(`collect-dataset: ${error.message}`);
  process.exitCode = error.exitCode;
}
