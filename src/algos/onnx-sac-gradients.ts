/**
 * The gradients of SAC's critic and actor steps from ONNX Runtime's CPU kernels
 * (MOPO_ONNXRUNTIME=cpu), through the two models of nn/onnx/sac-train-graphs.ts. SAC
 * (sac.ts) hands in the weights, the batch and the noise it drew, and keeps everything
 * else: losses and metrics, clipping, the Adam steps, Polyak and the temperature.
 *
 * Results are ONNX Runtime's: deterministic for a given machine, package build and
 * thread count, but not the WASM kernels' bits (the products round differently).
 *
 * ONNX Runtime's Node API is asynchronous only, so this object lives in a compute
 * worker (nn/threads), like the dynamics ensemble's OnnxMemberTrainer: the worker awaits
 * each call while SAC blocks on the reply, and SAC's update stays synchronous.
 */
import { loadOnnxRuntime, type InferenceRoute, type Ort, type OrtSession, type OrtTensor } from '../nn/onnx/inference-route.js';
import { SAC_INPUTS, SAC_OUTPUTS, sacActorGraph, sacCriticGraph, type SacGraphShape } from '../nn/onnx/sac-train-graphs.js';

export interface CriticGradientInputs {
  actor: Float32Array;
  /** Both critics' weights, one after the other; then their targets' likewise. */
  critics: Float32Array;
  targets: Float32Array;
  observations: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  /** γ (or the row's γᵏ) · (1 − terminal). */
  discounts: Float32Array;
  nextObservations: Float32Array;
  nextNoise: Float32Array;
  alpha: number;
  /** 2·wᵢ/rows (wᵢ = 1 without importance weights). */
  rowScale: Float32Array;
  rows: number;
}

export interface ActorGradientInputs {
  actor: Float32Array;
  critics: Float32Array;
  observations: Float32Array;
  noise: Float32Array;
  alpha: number;
  /** wᵢ/rows. */
  rowScale: Float32Array;
  rows: number;
}

export interface CriticGradients {
  /** Both critics' gradients, one after the other. */
  gradient: Float32Array;
  /** Q(s, a) of the first critic's rows, then the second's. */
  q: Float32Array;
  y: Float32Array;
}

export interface ActorGradient {
  gradient: Float32Array;
  logProb: Float32Array;
  /** Q(s, ã) of both critics, as in CriticGradients. */
  q: Float32Array;
}

export class OnnxSacGradients {
  private sessions: Promise<{ critic: OrtSession; actor: OrtSession }> | null = null;
  private ort: Ort | null = null;

  constructor(
    readonly spec: SacGraphShape,
    readonly route: InferenceRoute,
  ) {}

  async critic(inputs: CriticGradientInputs): Promise<CriticGradients> {
    const { observationSize: O, actionSize: A } = this.spec;
    const { critic } = await this.open();
    const B = inputs.rows;
    const half = inputs.critics.length / 2;
    const out = await critic.run({
      [SAC_INPUTS.actor]: this.tensor(inputs.actor, [1, inputs.actor.length]),
      [SAC_INPUTS.critics]: this.tensor(inputs.critics, [2, half]),
      [SAC_INPUTS.targets]: this.tensor(inputs.targets, [2, half]),
      [SAC_INPUTS.observations]: this.tensor(inputs.observations.subarray(0, B * O), [B, O]),
      [SAC_INPUTS.actions]: this.tensor(inputs.actions.subarray(0, B * A), [B, A]),
      [SAC_INPUTS.rewards]: this.tensor(inputs.rewards.subarray(0, B), [B, 1]),
      [SAC_INPUTS.discounts]: this.tensor(inputs.discounts.subarray(0, B), [B, 1]),
      [SAC_INPUTS.nextObservations]: this.tensor(inputs.nextObservations.subarray(0, B * O), [B, O]),
      [SAC_INPUTS.noise]: this.tensor(inputs.nextNoise.subarray(0, B * A), [B, A]),
      [SAC_INPUTS.alpha]: this.tensor(Float32Array.of(inputs.alpha), [1]),
      [SAC_INPUTS.rowScale]: this.tensor(inputs.rowScale.subarray(0, B), [B, 1]),
    });
    const read = (name: string) => out[name]!.data as Float32Array;
    return { gradient: read(SAC_OUTPUTS.gradient), q: read(SAC_OUTPUTS.q), y: read(SAC_OUTPUTS.y) };
  }

  async actor(inputs: ActorGradientInputs): Promise<ActorGradient> {
    const { observationSize: O, actionSize: A } = this.spec;
    const { actor } = await this.open();
    const B = inputs.rows;
    const out = await actor.run({
      [SAC_INPUTS.actor]: this.tensor(inputs.actor, [1, inputs.actor.length]),
      [SAC_INPUTS.critics]: this.tensor(inputs.critics, [2, inputs.critics.length / 2]),
      [SAC_INPUTS.observations]: this.tensor(inputs.observations.subarray(0, B * O), [B, O]),
      [SAC_INPUTS.noise]: this.tensor(inputs.noise.subarray(0, B * A), [B, A]),
      [SAC_INPUTS.alpha]: this.tensor(Float32Array.of(inputs.alpha), [1]),
      [SAC_INPUTS.rowScale]: this.tensor(inputs.rowScale.subarray(0, B), [B, 1]),
    });
    const read = (name: string) => out[name]!.data as Float32Array;
    return { gradient: read(SAC_OUTPUTS.gradient), logProb: read(SAC_OUTPUTS.logProb), q: read(SAC_OUTPUTS.q) };
  }

  async dispose(): Promise<void> {
    const sessions = this.sessions;
    this.sessions = null;
    if (sessions) {
      const { critic, actor } = await sessions;
      await critic.release();
      await actor.release();
    }
  }

  private tensor(data: Float32Array, dims: number[]): OrtTensor {
    return new this.ort!.Tensor('float32', data, dims);
  }

  private open(): Promise<{ critic: OrtSession; actor: OrtSession }> {
    this.sessions ??= (async () => {
      this.ort ??= await loadOnnxRuntime();
      if (!this.ort) throw new Error('onnxruntime-node does not load in this compute worker.');
      const { provider, cpuThreads } = this.route;
      const options = { executionProviders: [provider], intraOpNumThreads: cpuThreads, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 };
      return {
        critic: await this.ort.InferenceSession.create(sacCriticGraph(this.spec), options),
        actor: await this.ort.InferenceSession.create(sacActorGraph(this.spec), options),
      };
    })();
    return this.sessions;
  }
}
