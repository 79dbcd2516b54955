/**
 * Per-column standardisation of the dynamics model's inputs [obs, act], fitted on
 * the training rows: (x − mean) / std with the population std, and std < 1e-12
 * replaced by 1 so constant columns pass through centred instead of exploding.
 */
export class Standardiser {
  readonly mean: Float32Array;
  readonly std: Float32Array;

  constructor(readonly width: number) {
    this.mean = new Float32Array(width);
    this.std = new Float32Array(width).fill(1);
  }

  /** Fits on `count` rows of `rows` (row-major, `width` columns); sums in float64. */
  fit(rows: Float32Array, count: number): void {
    const w = this.width;
    const sum = new Float64Array(w);
    for (let i = 0; i < count; i++) for (let j = 0; j < w; j++) sum[j]! += rows[i * w + j]!;
    const mean = sum.map((s) => s / count);
    const squares = new Float64Array(w);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < w; j++) {
        const d = rows[i * w + j]! - mean[j]!;
        squares[j]! += d * d;
      }
    }
    for (let j = 0; j < w; j++) {
      const std = Math.sqrt(squares[j]! / count);
      this.mean[j] = mean[j]!;
      this.std[j] = std < 1e-12 ? 1 : std;
    }
  }

  /** Standardises `count` rows into `out` (may alias `rows`). */
  apply(rows: Float32Array, count: number, out: Float32Array = new Float32Array(count * this.width)): Float32Array {
    const w = this.width;
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < w; j++) out[i * w + j] = (rows[i * w + j]! - this.mean[j]!) / this.std[j]!;
    }
    return out;
  }

  setStats(mean: Float32Array, std: Float32Array): void {
    this.mean.set(mean);
    this.std.set(std);
  }
}
