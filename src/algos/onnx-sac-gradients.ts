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
import { ParamLayout } from '../nn/layout.js';
import { actorShape, criticGraphShape, gradientName, SAC_INPUTS, SAC_OUTPUTS, sacActorGraph, sacCriticGraph, weightName, type SacGraphShape, type SacNetwork } from '../nn/onnx/sac-train-graphs.js';

/**
 * Where SAC and this object exchange an update's inputs and outputs: arrays on
 * SharedArrayBuffers, so a call carries no data (posting ~2 MB of weights each way costs
 * milliseconds). ONNX Runtime takes no shared memory, so the worker copies them into
 * arrays of its own (a memcpy) and its outputs back.
 */
export interface SacWorkspace {
  /** The rows the batch arrays hold at most. */
  capacity: number;
  // inputs
  actor: Float32Array;
  /** Both critics' weights, one after the other; `targets` their target networks' likewise. */
  critics: Float32Array;
  targets: Float32Array;
  observations: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  /** γ (or the row's γᵏ) · (1 − terminal). */
  discounts: Float32Array;
  nextObservations: Float32Array;
  /** The noise of a′ ~ π(s′), and of ã ~ π(s). */
  nextNoise: Float32Array;
  noise: Float32Array;
  /** 2·wᵢ/rows and wᵢ/rows (wᵢ = 1 without importance weights). */
  criticScale: Float32Array;
  actorScale: Float32Array;
  // outputs
  /** Both critics' gradients, one after the other. */
  criticGradient: Float32Array;
  /** Q(s, a) of the first critic's rows, then the second's; y the targets. */
  q: Float32Array;
  y: Float32Array;
  actorGradient: Float32Array;
  logProb: Float32Array;
  /** Q(s, ã) of both critics, as `q`. */
  probe: Float32Array;
}

/** A workspace for up to `capacity` rows, on shared memory unless `shared` is false. */
export function sacWorkspace(spec: SacGraphShape, capacity: number, shared = true): SacWorkspace {
  const { observationSize: O, actionSize: A } = spec;
  const Pa = new ParamLayout(actorShape(spec), 1).perNetwork;
  const Pc = new ParamLayout(criticGraphShape(spec), 1).perNetwork;
  const sizes = {
    actor: Pa, critics: 2 * Pc, targets: 2 * Pc, observations: capacity * O, actions: capacity * A, rewards: capacity, discounts: capacity,
    nextObservations: capacity * O, nextNoise: capacity * A, noise: capacity * A, criticScale: capacity, actorScale: capacity,
    criticGradient: 2 * Pc, q: 2 * capacity, y: capacity, actorGradient: Pa, logProb: capacity, probe: 2 * capacity,
  };
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  const buffer = shared ? new SharedArrayBuffer(4 * total) : new ArrayBuffer(4 * total);
  let offset = 0;
  const arrays = Object.fromEntries(
    Object.entries(sizes).map(([key, size]) => {
      const array = new Float32Array(buffer, 4 * offset, size);
      offset += size;
      return [key, array];
    }),
  );
  return { capacity, ...arrays } as SacWorkspace;
}

export class OnnxSacGradients {
  private sessions: Promise<{ critic: OrtSession; actor: OrtSession }> | null = null;
  private ort: Ort | null = null;
  private shared: SacWorkspace | null = null;
  /** This worker's copy of the workspace, the memory ONNX Runtime reads and writes. */
  private own: SacWorkspace | null = null;

  private readonly actorLayout: ParamLayout;
  private readonly criticLayout: ParamLayout;

  constructor(
    readonly spec: SacGraphShape,
    readonly route: InferenceRoute,
  ) {
    this.actorLayout = new ParamLayout(actorShape(spec), 1);
    this.criticLayout = new ParamLayout(criticGraphShape(spec), 1);
  }

  /** The workspace of the next calls. */
  useWorkspace(workspace: SacWorkspace): void {
    this.shared = workspace;
    this.own = sacWorkspace(this.spec, workspace.capacity, false);
  }

  /** Step 1's gradients and values (see sac-train-graphs.ts) for `rows` rows of the workspace. */
  async critic(rows: number, alpha: number): Promise<void> {
    const { observationSize: O, actionSize: A } = this.spec;
    const { critic } = await this.open();
    const [own, shared] = this.workspaces(['actor', 'critics', 'targets', 'observations', 'actions', 'rewards', 'discounts', 'nextObservations', 'nextNoise', 'criticScale'], rows);
    await critic.run(
      {
        ...this.weights('actor', own.actor),
        ...this.weights('critic1', own.critics),
        ...this.weights('critic2', own.critics),
        ...this.weights('target1', own.targets),
        ...this.weights('target2', own.targets),
        [SAC_INPUTS.observations]: this.tensor(own.observations.subarray(0, rows * O), [rows, O]),
        [SAC_INPUTS.actions]: this.tensor(own.actions.subarray(0, rows * A), [rows, A]),
        [SAC_INPUTS.rewards]: this.tensor(own.rewards.subarray(0, rows), [rows, 1]),
        [SAC_INPUTS.discounts]: this.tensor(own.discounts.subarray(0, rows), [rows, 1]),
        [SAC_INPUTS.nextObservations]: this.tensor(own.nextObservations.subarray(0, rows * O), [rows, O]),
        [SAC_INPUTS.noise]: this.tensor(own.nextNoise.subarray(0, rows * A), [rows, A]),
        [SAC_INPUTS.alpha]: this.tensor(Float32Array.of(alpha), [1]),
        [SAC_INPUTS.rowScale]: this.tensor(own.criticScale.subarray(0, rows), [rows, 1]),
      },
      {
        ...this.weights('critic1', own.criticGradient, gradientName),
        ...this.weights('critic2', own.criticGradient, gradientName),
        [SAC_OUTPUTS.q]: this.tensor(own.q.subarray(0, 2 * rows), [2 * rows, 1]),
        [SAC_OUTPUTS.y]: this.tensor(own.y.subarray(0, rows), [rows, 1]),
      },
    );
    shared.criticGradient.set(own.criticGradient);
    shared.q.set(own.q.subarray(0, 2 * rows));
    shared.y.set(own.y.subarray(0, rows));
  }

  /** Step 2's gradient and values, with the workspace's critics (by then the updated ones). */
  async actor(rows: number, alpha: number): Promise<void> {
    const { observationSize: O, actionSize: A } = this.spec;
    const { actor } = await this.open();
    const [own, shared] = this.workspaces(['actor', 'critics', 'observations', 'noise', 'actorScale'], rows);
    await actor.run(
      {
        ...this.weights('actor', own.actor),
        ...this.weights('critic1', own.critics),
        ...this.weights('critic2', own.critics),
        [SAC_INPUTS.observations]: this.tensor(own.observations.subarray(0, rows * O), [rows, O]),
        [SAC_INPUTS.noise]: this.tensor(own.noise.subarray(0, rows * A), [rows, A]),
        [SAC_INPUTS.alpha]: this.tensor(Float32Array.of(alpha), [1]),
        [SAC_INPUTS.rowScale]: this.tensor(own.actorScale.subarray(0, rows), [rows, 1]),
      },
      {
        ...this.weights('actor', own.actorGradient, gradientName),
        [SAC_OUTPUTS.logProb]: this.tensor(own.logProb.subarray(0, rows), [rows, 1]),
        [SAC_OUTPUTS.q]: this.tensor(own.probe.subarray(0, 2 * rows), [2 * rows, 1]),
      },
    );
    shared.actorGradient.set(own.actorGradient);
    shared.logProb.set(own.logProb.subarray(0, rows));
    shared.probe.set(own.probe.subarray(0, 2 * rows));
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

  /** This worker's workspace with `inputs` copied in from the shared one (the first `rows` rows of batch arrays), and the shared one. */
  private workspaces(inputs: (keyof SacWorkspace)[], rows: number): [SacWorkspace, SacWorkspace] {
    const own = this.own;
    const shared = this.shared;
    if (!own || !shared) throw new Error('OnnxSacGradients needs useWorkspace() first');
    if (rows > shared.capacity) throw new RangeError(`OnnxSacGradients: ${rows} rows, the workspace holds ${shared.capacity}`);
    for (const key of inputs) {
      const from = shared[key] as Float32Array;
      const width = from.length / shared.capacity;
      (own[key] as Float32Array).set(key === 'actor' || key === 'critics' || key === 'targets' ? from : from.subarray(0, rows * width));
    }
    return [own, shared];
  }

  /**
   * Tensors over each layer's kernel and bias in `vector` (the flat layout of layout.ts;
   * the second critic or target after the first), named by `name`: no copies.
   */
  private weights(network: SacNetwork, vector: Float32Array, name = weightName): Record<string, OrtTensor> {
    const layout = network === 'actor' ? this.actorLayout : this.criticLayout;
    const base = network.endsWith('2') ? layout.perNetwork : 0;
    const tensors: Record<string, OrtTensor> = {};
    layout.layers.forEach((layer, l) => {
      tensors[name(network, 'kernel', l)] = this.tensor(vector.subarray(base + layer.kernelOffset, base + layer.biasOffset), [layer.outSize, layer.inSize]);
      tensors[name(network, 'bias', l)] = this.tensor(vector.subarray(base + layer.biasOffset, base + layer.biasOffset + layer.outSize), [layer.outSize]);
    });
    return tensors;
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
