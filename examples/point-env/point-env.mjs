// A point mass on a plane that should come to rest at the origin: a custom environment
// for mopo in plain JavaScript, with its own logged data (getDataset) for offline RL.
//
//   observation  [x, y, vx, vy]
//   action       a force in [-1, 1]²  (box(2))
//   dynamics     v ← 0.9·v + 0.1·a,  p ← p + 0.1·v
//   reward       −‖p‖ − 0.01·‖a‖²
//   ends         when ‖p‖ > 5 (it flew off), or after maxEpisodeSteps (a time limit)
//
// Train it:  mopo exp=custom-mopo env.wrapper._target_=./point-env.mjs:PointEnv

const FLEW_OFF = 5;

export class PointEnv {
  id = 'PointMass';
  observationSize = 4;
  actionSpace = { kind: 'box', size: 2 };

  /** The keys of env.wrapper arrive here: { maxEpisodeSteps, episodes, noise }. */
  constructor({ maxEpisodeSteps = 50, episodes = 40, noise = 0.6 } = {}) {
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.datasetEpisodes = episodes;
    this.datasetNoise = noise;
    this.random = seeded(0);
    this.state = [0, 0, 0, 0];
  }

  reset(seed) {
    if (seed !== undefined) this.random = seeded(seed);
    this.state = [this.random() * 2 - 1, this.random() * 2 - 1, 0, 0];
    return this.observation();
  }

  step(action) {
    const [x, y, vx, vy] = this.state;
    const ax = clip(action[0]);
    const ay = clip(action[1]);
    const nvx = 0.9 * vx + 0.1 * ax;
    const nvy = 0.9 * vy + 0.1 * ay;
    this.state = [x + 0.1 * nvx, y + 0.1 * nvy, nvx, nvy];
    const distance = Math.hypot(this.state[0], this.state[1]);
    return { observation: this.observation(), reward: -distance - 0.01 * (ax * ax + ay * ay), terminated: distance > FLEW_OFF, truncated: false };
  }

  /** The end rule on next observations only, a row each, for MOPO's model rollouts. */
  terminationFn(nextObservations, observationSize) {
    const rows = nextObservations.length / observationSize;
    return Array.from({ length: rows }, (_, r) => Math.hypot(nextObservations[r * observationSize], nextObservations[r * observationSize + 1]) > FLEW_OFF);
  }

  /** The whole state as JSON: an online run resumes mid-episode exactly. */
  snapshot() {
    return { state: [...this.state], random: this.random.state() };
  }

  restore(snapshot) {
    this.state = [...snapshot.state];
    this.random = seeded(0, snapshot.random);
    return this.observation();
  }

  /**
   * Logged data in D4RL's layout: episodes of a noisy, slow controller that pushes
   * towards the origin. The dynamics ensemble holds its own share out to validate on.
   */
  getDataset({ seed = 0 } = {}) {
    const random = seeded(1000 + seed);
    const data = { observations: [], actions: [], rewards: [], next_observations: [], terminals: [], timeouts: [] };
    for (let episode = 0; episode < this.datasetEpisodes; episode++) {
      let observation = this.reset(1000 + seed * 1000 + episode);
      for (let t = 0; t < this.maxEpisodeSteps; t++) {
        const noise = () => (random() * 2 - 1) * this.datasetNoise;
        const action = [clip(-0.5 * observation[0] - 0.5 * observation[2] + noise()), clip(-0.5 * observation[1] - 0.5 * observation[3] + noise())];
        const result = this.step(action);
        data.observations.push([...observation]);
        data.actions.push(action);
        data.rewards.push(result.reward);
        data.next_observations.push([...result.observation]);
        data.terminals.push(result.terminated);
        data.timeouts.push(!result.terminated && t === this.maxEpisodeSteps - 1);
        observation = result.observation;
        if (result.terminated) break;
      }
    }
    return data;
  }

  observation() {
    return Float32Array.from(this.state);
  }
}

function clip(value) {
  return Math.max(-1, Math.min(1, value));
}

/** mulberry32: a small seeded generator whose state is one number. */
function seeded(seed, state = seed >>> 0) {
  let s = state;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.state = () => s;
  return next;
}
