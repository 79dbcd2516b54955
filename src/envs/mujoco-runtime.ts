/**
 * The MuJoCo WebAssembly module, loaded on first use and shared by every env in the
 * process. Loading takes about half a second, so importing `src/envs` must not do it:
 * the CLI only pays for it in the commands that step an environment.
 */
import type { MainModule } from '@mujoco/mujoco';
import { EnvError } from '../errors.js';

export type Mujoco = MainModule;

let loading: Promise<Mujoco> | null = null;

export function loadMujoco(): Promise<Mujoco> {
  loading ??= instantiate().catch((error: unknown) => {
    // A failed load must not poison the cache: a later call may succeed (e.g. after a fix).
    loading = null;
    throw new EnvError(`Could not load the MuJoCo WebAssembly module (@mujoco/mujoco): ${String(error)}`, {
      cause: error,
    });
  });
  return loading;
}

async function instantiate(): Promise<Mujoco> {
  const { default: createModule } = await import('@mujoco/mujoco');
  return createModule();
}
