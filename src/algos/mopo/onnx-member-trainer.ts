/**
 * Every member of the dynamics ensemble, trained with ONNX Runtime's CPU kernels
 * (MOPO_ONNXRUNTIME=cpu): each step's loss and gradients come from one ONNX model
 * (nn/onnx/ensemble-train-graph.ts) whose matrix products use the machine's full
 * vector width, and the Adam step with weight decay is the tfjs path's own
 * (MemberGroup.applyGradient: our WASM kernel), fed with that gradient. Everything
 * else a group does (predictions through tfjs, errors, state) is a MemberGroup's.
 *
 * Results are ONNX Runtime's: deterministic for a given machine, package build and
 * thread count, but not the WASM kernels' bits (the products round differently).
 *
 * ONNX Runtime's Node API is asynchronous only, so this object lives in a compute
 * worker (nn/threads), like OnnxMemberPredictor: the worker awaits each call while the
 * calling thread blocks on the reply, and the ensemble keeps its synchronous interface.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadOnnxRuntime, type InferenceRoute, type Ort, type OrtSession, type OrtTensor } from '../../nn/onnx/inference-route.js';
import { ensembleTrainGraph, TRAIN_INPUTS, TRAIN_OUTPUTS } from '../../nn/onnx/ensemble-train-graph.js';
import { wasmFloats } from '../../nn/wasm/fast-kernels.js';
import { MemberGroup, type GroupPrediction, type GroupState, type GroupStepResult, type MemberGroupSpec } from './member-group.js';

export class OnnxMemberTrainer {
  private readonly group: MemberGroup;
  /** Each step's weight gradient, written by ONNX Runtime in place where it can, for the Adam step. */
  private gradient: tf.Tensor;
  private session: Promise<OrtSession> | null = null;
  private ort: Ort | null = null;

  constructor(
    readonly spec: MemberGroupSpec,
    initialParams: Float32Array,
    readonly route: InferenceRoute,
  ) {
    this.group = new MemberGroup(spec, initialParams);
    this.gradient = tf.keep(tf.zeros([this.group.size]));
  }

  /** One Adam step of every member, as MemberGroup.trainStep, with the gradient from ONNX Runtime. */
  async trainStep(inputs: Float32Array, targets: Float32Array, rows: number, bounds: Float32Array): Promise<GroupStepResult> {
    const { losses, boundGradients } = await this.run(inputs, targets, rows, bounds);
    this.group.applyGradient(this.gradient);
    return { losses, boundGradients };
  }

  /** The losses and gradients of one step on the current weights, without the step. */
  async gradients(inputs: Float32Array, targets: Float32Array, rows: number, bounds: Float32Array): Promise<GroupStepResult & { gradient: Float32Array }> {
    const result = await this.run(inputs, targets, rows, bounds);
    return { ...result, gradient: this.gradient.dataSync().slice() as Float32Array };
  }

  /**
   * One run of the model: the losses and bound gradients, and the weight gradient
   * written into `this.gradient`. On the WASM backend ONNX Runtime reads the weights
   * and writes the gradient where tfjs keeps them (no copies of the ~1 M values).
   */
  private async run(inputs: Float32Array, targets: Float32Array, rows: number, bounds: Float32Array): Promise<GroupStepResult> {
    const { members: M, inputSize: I, outputSize: D } = this.spec;
    const session = await this.open();
    const tensor = (data: Float32Array, dims: number[]): OrtTensor => new this.ort!.Tensor('float32', data, dims);
    const P = this.group.size / M;
    const inPlace = wasmFloats(this.gradient);
    const out = await session.run(
      {
        [TRAIN_INPUTS.params]: tensor(wasmFloats(this.group.params) ?? (this.group.params.dataSync() as Float32Array), [M, P]),
        [TRAIN_INPUTS.x]: tensor(inputs.subarray(0, M * rows * I), [M, rows, I]),
        [TRAIN_INPUTS.y]: tensor(targets.subarray(0, M * rows * D), [M, rows, D]),
        [TRAIN_INPUTS.bounds]: tensor(bounds.subarray(0, 2 * D), [2 * D]),
        [TRAIN_INPUTS.scale]: tensor(Float32Array.of(1 / (rows * D)), [1]),
      },
      { [TRAIN_OUTPUTS.losses]: null, [TRAIN_OUTPUTS.boundGradients]: null, [TRAIN_OUTPUTS.gradient]: inPlace && tensor(inPlace, [M, P]) },
    );
    const read = (name: string) => out[name]!.data as Float32Array;
    if (!inPlace) {
      this.gradient.dispose();
      this.gradient = tf.keep(tf.tensor1d(read(TRAIN_OUTPUTS.gradient)));
    }
    return { losses: read(TRAIN_OUTPUTS.losses), boundGradients: read(TRAIN_OUTPUTS.boundGradients) };
  }

  predict(inputs: Float32Array, rows: number, bounds: Float32Array): GroupPrediction {
    return this.group.predict(inputs, rows, bounds);
  }

  meanSquaredErrors(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array {
    return this.group.meanSquaredErrors(inputs, targets, rows);
  }

  getParams(): Float32Array {
    return this.group.getParams();
  }

  setParams(params: Float32Array): void {
    this.group.setParams(params);
  }

  getState(): GroupState {
    return this.group.getState();
  }

  setState(state: GroupState): void {
    this.group.setState(state);
  }

  tensorCount(): number {
    return this.group.tensorCount();
  }

  async dispose(): Promise<void> {
    this.group.dispose();
    this.gradient.dispose();
    const session = this.session;
    this.session = null;
    if (session) await (await session).release();
  }

  private open(): Promise<OrtSession> {
    this.session ??= (async () => {
      this.ort ??= await loadOnnxRuntime();
      if (!this.ort) throw new Error('onnxruntime-node does not load in this compute worker.');
      const { provider, cpuThreads } = this.route;
      return this.ort.InferenceSession.create(ensembleTrainGraph(this.spec), {
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
