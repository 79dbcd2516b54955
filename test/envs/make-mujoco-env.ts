import { makeEnv, MujocoEnv, type MakeEnvOptions } from '../../src/envs/index.js';

/** `makeEnv` for a MuJoCo task, typed as `MujocoEnv` for the tests that read its physics (dt, setPhysicsState). */
export async function makeMujocoEnv(id: string, options?: MakeEnvOptions): Promise<MujocoEnv> {
  const env = await makeEnv(id, options);
  if (!(env instanceof MujocoEnv)) throw new Error(`${id} is not a MuJoCo env`);
  return env;
}
