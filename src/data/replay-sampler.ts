/**
 * How the training loops draw batches from a replay buffer: which rows (uniformly, or
 * in proportion to their priorities with importance weights: prioritized-sampler.ts)
 * and what each row becomes (the stored one-step transition, or an n-step one:
 * n-step.ts). With n = 1 and no priorities it is exactly `buffer.sampleInto`.
 *
 * After an update, `reprioritize` gives the rows just drawn their new priorities from
 * the TD errors the learner wrote into `tdErrors`.
 */
import { writeNStepRows } from './n-step.js';
import type { PrioritizedSampler } from './prioritized-sampler.js';
import { allocateBatch, type ReplayBuffer, type TransitionBatch } from './replay-buffer.js';
import type { Rng } from '../util/rng.js';

export interface ReplaySamplerSettings {
  /** Rows per transition: 1 is plain one-step replay. */
  nStep: number;
  /** The learner's discount, for the n-step returns. */
  gamma: number;
}

export class ReplaySampler {
  /** Where the learner writes |δ| of each row of the batch; null without priorities. */
  readonly tdErrors: Float32Array | null;
  private readonly indices: Uint32Array;

  constructor(
    private readonly buffer: ReplayBuffer,
    private readonly settings: ReplaySamplerSettings,
    private readonly priorities: PrioritizedSampler | null,
    readonly batchSize: number,
  ) {
    this.indices = new Uint32Array(batchSize);
    this.tdErrors = priorities ? new Float32Array(batchSize) : null;
  }

  /** A batch to draw into, with room for the discounts and weights this sampler writes. */
  allocateBatch(): TransitionBatch {
    const batch = allocateBatch(this.batchSize, this.buffer.observationSize, this.buffer.actionSize);
    if (this.settings.nStep > 1) batch.discounts = new Float32Array(this.batchSize);
    if (this.priorities) batch.weights = new Float32Array(this.batchSize);
    return batch;
  }

  /** Fills `batch` (from `allocateBatch`); `beta` is the importance-weight exponent of prioritized replay. */
  draw(batch: TransitionBatch, rng: Rng, beta: number): void {
    if (!this.priorities && this.settings.nStep === 1) {
      this.buffer.sampleInto(batch, 0, batch.size, rng);
      return;
    }
    if (this.priorities) this.priorities.sample(rng, beta, this.indices, batch.weights!);
    else this.buffer.sampleIndices(batch.size, rng, this.indices);
    if (this.settings.nStep > 1) writeNStepRows(this.buffer, this.indices, batch, 0, { n: this.settings.nStep, gamma: this.settings.gamma });
    else this.buffer.writeRows(batch, 0, this.indices);
  }

  /** New priorities for the rows of the last draw, from `tdErrors`. */
  reprioritize(): void {
    if (this.priorities) this.priorities.update(this.indices, this.tdErrors!);
  }
}
