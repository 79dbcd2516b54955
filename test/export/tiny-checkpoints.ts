/**
 * Real checkpoints of every learner with a policy, from tiny training runs of the
 * built `mopo` command (a few hundred steps each, run side by side): what mopo-export
 * meets in practice, in each trainer's own checkpoint layout.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

const ONLINE = [
  'exp=halfcheetah-online',
  'algo.total_steps=300',
  'algo.start_steps=100',
  'algo.update_every=50',
  'algo.num_updates=10',
  'algo.test_every=300',
  'algo.actor.hidden_size=32',
  'algo.critic.hidden_size=32',
  'env.max_episode_steps=50',
  'eval.episodes=1',
  'metric.progress=lines',
];

const MOPO = [
  'exp=quickstart',
  'algo.total_steps=100',
  'algo.num_epochs=1',
  'algo.rollout_freq=50',
  'algo.rollout_batch_size=100',
  'algo.h=1',
  'algo.actor.hidden_size=32',
  'algo.critic.hidden_size=32',
  'algo.ensembles.num_ensembles=2',
  'algo.ensembles.num_elites=1',
  'algo.ensembles.hidden_size=8',
  'algo.ensembles.num_layers=1',
  'algo.ensembles.optimizer.weight_decays=[1e-5,1e-4]',
  'algo.ensembles.max_epochs=1',
  'eval.episodes=1',
  'env.max_episode_steps=20',
  'metric.progress=lines',
];

/** The trainer name in a checkpoint's manifest → the overrides of a tiny run that writes one. */
export const TINY_RUNS: Record<string, string[]> = {
  sac_online: ONLINE,
  td3: [...ONLINE, 'algo=td3'],
  ddpg: [...ONLINE, 'algo=ddpg'],
  mpo: [...ONLINE, 'algo=mpo', 'algo.sample_action_num=8'],
  mopo: MOPO,
};

/** Trains every tiny run at once into `<dir>/<algo>`; resolves to those run directories. */
export async function trainTinyRuns(dir: string): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(TINY_RUNS).map(async ([algo, overrides]) => {
      const runDir = path.join(dir, algo);
      await runMopo([...overrides, `hydra.run.dir=${runDir}`]);
      return [algo, runDir] as const;
    }),
  );
  return Object.fromEntries(entries);
}

function runMopo(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/mopo.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mopo ${args.join(' ')} exited with ${code}: ${stderr}`))));
  });
}
