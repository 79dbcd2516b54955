/**
 * The SLURM tests run against a real cluster: the one-node cluster of scripts/slurm on
 * this machine (CI's .ci/run starts it), or any cluster this machine can submit to.
 * When none answers, the set-up starts the local one (as root) and stops it afterwards;
 * without root it fails, saying how to start it or, with MOPO_TEST_SKIP_SLURM=1, skip.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export const SKIP_SLURM = process.env.MOPO_TEST_SKIP_SLURM === '1';

const HOW = 'Start the one-node test cluster with `sudo scripts/slurm/start.sh --install` (Debian/Ubuntu), or set MOPO_TEST_SKIP_SLURM=1 to skip the SLURM tests.';

/** A node that takes jobs answers sinfo with one of these states. */
function clusterAnswers(): boolean {
  const sinfo = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 20_000 });
  return sinfo.status === 0 && /^(idle|mix|alloc|comp)/m.test(sinfo.stdout);
}

/** Makes sure a cluster answers; returns how to stop it (a no-op when it was running before). */
export function ensureSlurmCluster(): () => void {
  if (clusterAnswers()) return () => {};
  if (spawnSync('sbatch', ['--version']).error) throw new Error(`The SLURM tests need SLURM's commands (sbatch, sinfo), and they are not installed. ${HOW}`);
  if (process.getuid?.() !== 0) throw new Error(`No SLURM cluster answers (sinfo), and starting the local one needs root. ${HOW}`);
  run('start.sh');
  if (!clusterAnswers()) throw new Error(`scripts/slurm/start.sh ran, but no SLURM node answers sinfo. ${HOW}`);
  return () => run('stop.sh');
}

function run(script: string): void {
  const result = spawnSync(path.join(root, 'scripts/slurm', script), { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`scripts/slurm/${script} failed:\n${result.stdout}${result.stderr}`);
}
