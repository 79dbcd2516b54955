import { requireTensor, vectorState, type TensorRecord } from './state.js';

/**
 * Adam for a handful of parameters that live in JavaScript (e.g. the dynamics
 * ensemble's shared log-variance bounds, whose gradient is summed across member
 * groups that may sit in other threads). Same rule as adam.ts.
 */
export class HostAdam {
  readonly m: Float32Array;
  readonly v: Float32Array;
  step = 0;

  constructor(
    readonly size: number,
    public lr: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Updates `params` in place. */
  apply(params: Float32Array, gradient: ArrayLike<number>): void {
    this.step += 1;
    const stepSize = this.lr / (1 - this.beta1 ** this.step);
    const sqrtCorrection2 = Math.sqrt(1 - this.beta2 ** this.step);
    for (let i = 0; i < this.size; i++) {
      const g = gradient[i]!;
      this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * g;
      this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * g * g;
      params[i]! -= (stepSize * this.m[i]!) / (Math.sqrt(this.v[i]!) / sqrtCorrection2 + this.epsilon);
    }
  }
}

/**
 * The checkpoint form of parameters learned with a HostAdam (a temperature's log α, a
 * Lagrange multiplier): `<name>`, `<name>/adam/m`, `<name>/adam/v`; the Adam step
 * count is kept by the caller in its JSON meta.
 */
export function hostAdamTensors(name: string, values: Float32Array, adam: HostAdam): TensorRecord {
  return {
    [name]: vectorState(values.slice()),
    [`${name}/adam/m`]: vectorState(adam.m.slice()),
    [`${name}/adam/v`]: vectorState(adam.v.slice()),
  };
}

/** Restores what hostAdamTensors stored under `name`, each vector checked to hold `adam.size` values. */
export function restoreHostAdam(tensors: TensorRecord, name: string, values: Float32Array, adam: HostAdam, step: number): void {
  const shape = [adam.size];
  values.set(requireTensor(tensors, name, shape));
  adam.m.set(requireTensor(tensors, `${name}/adam/m`, shape));
  adam.v.set(requireTensor(tensors, `${name}/adam/v`, shape));
  adam.step = step;
}
