// MOPO on the point env from code: train, look at the scores, use the policy.
//   node train.mjs        (in a project where mopo is installed, next to point-env.mjs)
import { evaluate, train } from 'mopo';
import { PointEnv } from './point-env.mjs';

const run = await train({
  overrides: ['exp=custom-mopo', 'algo.total_steps=2000', 'algo.num_epochs=4', 'hydra.run.dir=point-run'],
  env: (options) => new PointEnv(options),
  onProgress: (event) => event.type === 'epoch' && console.log(`epoch ${event.row.epoch}: eval return ${event.row['eval/return_mean']}`),
});
console.log(`run ${run.runDir}; last evaluation ${run.scores.last.returnMean.toFixed(2)} (mean of last ${run.scores.meanLast10.evaluations}: ${run.scores.meanLast10.returnMean.toFixed(2)})`);

const env = new PointEnv();
let observation = env.reset(7);
let total = 0;
for (let t = 0; t < 50; t++) {
  const result = env.step(run.policy.act(observation));
  total += result.reward;
  observation = result.observation;
}
console.log(`one episode with the policy in our own loop: return ${total.toFixed(2)}`);
run.policy.dispose();

const again = await evaluate({ checkpoint: run.checkpoint, overrides: ['eval.episodes=20'], env: (options) => new PointEnv(options) });
console.log(`20 evaluation episodes: return ${again.result.returnMean.toFixed(2)} ± ${again.result.returnStd.toFixed(2)}`);
