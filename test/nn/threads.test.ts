// Compute workers run the compiled code under dist/: `npm test` builds it first (pretest).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamicsEnsemble } from '../../src/algos/mopo/dynamics-ensemble.js';
import { Standardiser } from '../../src/algos/mopo/standardiser.js';
import { Sac } from '../../src/algos/sac.js';
import { initBackend } from '../../src/nn/backend.js';
import { LocalHandle, RemoteHandle } from '../../src/nn/threads/handle.js';
import { WorkerThread } from '../../src/nn/threads/worker-thread.js';
import { Rng } from '../../src/util/rng.js';
import { randomTransitions } from '../helpers/point-task.js';

let thread: WorkerThread;

beforeAll(async () => {
  await initBackend('wasm');
  thread = await WorkerThread.start('wasm');
});

afterAll(() => {
  thread.close();
});

describe('compute worker threads', () => {
  it('run methods of objects created in the worker, in order, and pass errors back', () => {
    const remote = RemoteHandle.create<Standardiser>(thread, '../../src/algos/mopo/standardiser.js', import.meta.url, 'Standardiser', [2]);
    const local = new LocalHandle(Object.assign(new Standardiser(2), { dispose() {} }));
    const rows = Float32Array.of(1, 10, 3, 30);
    for (const handle of [remote, local]) {
      handle.call('fit', rows, 2).wait();
      const first = handle.call('apply', rows, 2);
      const second = handle.call('apply', Float32Array.of(2, 20), 1);
      expect(Array.from(second.wait())).toEqual([0, 0]); // waiting out of order is fine
      expect(Array.from(first.wait())).toEqual([-1, -1, 1, 1]);
    }
    expect(() => remote.call('setStats', new Float32Array(5), null as never).wait()).toThrow(/in a compute worker/);
    remote.dispose();
  });

  it('report a worker that died instead of waiting for it forever', async () => {
    const doomed = await WorkerThread.start('wasm');
    const object = RemoteHandle.create<{ exit(): void; dispose(): void }>(doomed, './fixtures/exits-worker.js', import.meta.url, 'ExitsWorker', []);
    expect(() => object.call('exit').wait()).toThrow(/stopped unexpectedly/);
    expect(() => object.call('exit')).toThrow(/has stopped/);
    expect(doomed.alive).toBe(false);
  });

  it('give SAC the same updates with its second critic in a worker', () => {
    const rng = new Rng(4);
    const options = { observationSize: 5, actionSize: 2, actorHiddenSize: 16, criticHiddenSize: 16, seed: 2 };
    const here = new Sac(options);
    const spread = new Sac(options);
    spread.distribute([thread]);
    for (let i = 0; i < 4; i++) {
      const batch = randomTransitions(rng, 32, 5, 2);
      expect(spread.update(batch)).toEqual(here.update(batch));
    }
    expect(spread.getState()).toEqual(here.getState());
    spread.distribute([]);
    expect(spread.getState()).toEqual(here.getState());
    here.dispose();
    spread.dispose();
  });

  it("keep SAC's actor copy in the worker in step when a state is restored", () => {
    const rng = new Rng(6);
    const options = { observationSize: 4, actionSize: 2, actorHiddenSize: 16, criticHiddenSize: 16, seed: 3 };
    const batches = Array.from({ length: 4 }, () => randomTransitions(rng, 16, 4, 2));
    const trained = new Sac(options);
    for (const batch of batches.slice(0, 2)) trained.update(batch);
    const here = Sac.fromState(structuredClone(trained.getState()));
    const spread = new Sac({ ...options, seed: 9 });
    spread.distribute([thread]);
    spread.update(batches[3]!); // its worker's actor copy moves away from the state restored next
    spread.setState(structuredClone(trained.getState()));
    for (const batch of batches.slice(2)) expect(spread.update(batch)).toEqual(here.update(batch));
    // (the options differ: spread was made with another seed)
    expect(spread.getState().tensors).toEqual(here.getState().tensors);
    trained.dispose();
    here.dispose();
    spread.dispose();
  });

  // 5 members: the last one is split between the threads; 4: whole members only; 1: only the split member.
  for (const members of [5, 4, 1]) {
    it(`give the dynamics ensemble the same steps, rollouts and state with members in a worker (${members} members)`, () => {
      const rng = new Rng(5);
      const options = { observationSize: 3, actionSize: 2, members, elites: 1, hiddenSize: 16, layers: 2, weightDecays: [1e-4, 1e-4, 1e-4] };
      const here = new DynamicsEnsemble(options);
      const spread = new DynamicsEnsemble(options);
      spread.distribute([thread]);
      const inputs = rng.fillNormal(new Float32Array(members * 21 * 5));
      const targets = rng.fillNormal(new Float32Array(members * 21 * 4));
      // 21 rows: the split member's shares are 10 and 11 rows
      for (let i = 0; i < 3; i++) expect(Array.from(spread.trainBatch(inputs, targets, 21))).toEqual(Array.from(here.trainBatch(inputs, targets, 21)));
      // More rows than one chunk, so both threads take part.
      const observations = rng.fillNormal(new Float32Array(5000 * 3));
      const actions = rng.fillUniform(new Float32Array(5000 * 2), -1, 1);
      expect(spread.step(observations, actions, new Rng(1))).toEqual(here.step(observations, actions, new Rng(1)));
      expect(spread.getState()).toEqual(here.getState());
      // A restored state reaches the worker's copy of the split member too.
      const restored = new DynamicsEnsemble(options);
      restored.distribute([thread]);
      restored.setState(structuredClone(here.getState()));
      const losses = Array.from(here.trainBatch(inputs, targets, 21));
      expect(Array.from(restored.trainBatch(inputs, targets, 21))).toEqual(losses);
      expect(Array.from(spread.trainBatch(inputs, targets, 21))).toEqual(losses);
      // and back in one thread
      spread.distribute([]);
      expect(Array.from(spread.trainBatch(inputs, targets, 21))).toEqual(Array.from(here.trainBatch(inputs, targets, 21)));
      expect(spread.getState()).toEqual(here.getState());
      for (const ensemble of [here, spread, restored]) ensemble.dispose();
    });
  }
});
