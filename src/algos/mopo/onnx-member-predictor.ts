/**
 * Every member's prediction through ONNX Runtime (nn/onnx/inference-route.ts) instead
 * of tfjs: the members' forward passes as one ONNX model (nn/onnx/mlp-graph.ts), then
 * the same soft clamp of the log-variances as the tfjs path (gaussian-head.ts).
 *
 * ONNX Runtime's Node API is asynchronous only, so this object lives in a compute
 * worker (nn/threads): the worker awaits each call while the calling thread blocks on
 * the reply, and the ensemble keeps its synchronous interface.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadOnnxRuntime, type InferenceRoute, type OrtSession, type Ort } from '../../nn/onnx/inference-route.js';
import { GRAPH_INPUT, GRAPH_OUTPUT, mlpStackGraph } from '../../nn/onnx/mlp-graph.js';
import { memberPredictions } from './gaussian-head.js';
import { memberShape, type GroupPrediction, type MemberGroupSpec } from './member-group.js';

export class OnnxMemberPredictor {
  private session: Promise<OrtSession> | null = null;
  private ort: Ort | null = null;

  constructor(
    readonly spec: MemberGroupSpec,
    private params: Float32Array,
    readonly route: InferenceRoute,
  ) {}

  /** New weights (all members, layout order); the next prediction builds its session anew. */
  async setParams(params: Float32Array): Promise<void> {
    await this.release();
    this.params = params;
  }

  async predict(inputs: Float32Array, rows: number, bounds: Float32Array): Promise<GroupPrediction> {
    const { members, inputSize: I, outputSize: D } = this.spec;
    const session = await this.open();
    const x = new this.ort!.Tensor('float32', inputs.slice(0, rows * I), [rows, I]);
    const y = (await session.run({ [GRAPH_INPUT]: x }))[GRAPH_OUTPUT]!.data as Float32Array;
    const values = tf.tidy(() =>
      memberPredictions(
        Array.from({ length: members }, (_, m) => tf.tensor2d(y.subarray(m * rows * 2 * D, (m + 1) * rows * 2 * D), [rows, 2 * D])),
        bounds,
      ),
    );
    const read = values.dataSync() as Float32Array;
    values.dispose();
    const half = members * rows * D;
    return { means: read.slice(0, half), logvars: read.slice(half) };
  }

  async release(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session) await (await session).release();
  }

  async dispose(): Promise<void> {
    await this.release();
  }

  private open(): Promise<OrtSession> {
    this.session ??= (async () => {
      this.ort ??= await loadOnnxRuntime();
      if (!this.ort) throw new Error('onnxruntime-node does not load in this compute worker.');
      const graph = mlpStackGraph(memberShape(this.spec), this.spec.members, this.params);
      const { provider, cpuThreads } = this.route;
      return this.ort.InferenceSession.create(graph, {
        executionProviders: [provider],
        intraOpNumThreads: cpuThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
    })();
    return this.session;
  }
}
