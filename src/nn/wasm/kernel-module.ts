/**
 * The compute kernels behind fast-kernels.ts, as one WebAssembly module (128-bit SIMD)
 * that works on the memory of tfjs's WASM backend. All pointers are byte offsets in
 * that memory, all matrices float32 and row-major, outputs contiguous.
 *
 *   gemm_nn(a, lda, b, ldb, c, M, K, N, bias, act, aux)
 *       C[M,N] = A[M,K]·B[K,N] (+ bias[N]), then `act` on C:
 *       0 none; 1 ReLU (aux ← its slope 0/1); 2 swish (aux ← its slope);
 *       3 C ← C ⊙ aux (aux an input here). aux = 0: no slope written.
 *   gemm_tn(a, lda, b, ldb, c, M, K, N, 0, 0, 0)
 *       C[M,N] = Aᵀ·B with A stored as [K,M] (row stride lda): a weight gradient dzᵀ·x.
 *   colsum(a, lda, out, K, M)            out[m] = Σₖ A[k,m]: a bias gradient.
 *   transpose(src, dst, rows, cols)      dst[cols,rows] = srcᵀ.
 *   adam(p, g, decay, m, v, p', m', v', n, β₁, 1−β₁, β₂, 1−β₂, √(1−β₂ᵗ), ε, lr/(1−β₁ᵗ))
 *       Adam as in adam.ts, with the gradient g + decay ⊙ p when decay ≠ 0.
 *   polyak(target, online, out, n, 1−τ, τ)
 *   gauss_head, gauss_predict            the dynamics members' Gaussian head (below)
 *   squashed_sample, squashed_backward   SAC's tanh-squashed Gaussian (below)
 *
 * Why hand-written: tfjs's matMul on WASM packs its right operand anew whenever that
 * tensor is new (every step, as weights change), runs transposed products ~15× slower,
 * and every elementwise op is a separate pass with ~10 µs of dispatch. These kernels
 * read weights in place from the flat parameter vector, produce a layer's gradient
 * in its layout position, and fuse the activations. Each output element of a product
 * is a sum over k in increasing order, as in XNNPACK's kernels: without fused
 * multiply-adds ReLU networks come out bit-identical to tfjs's; with them (relaxed
 * SIMD, relaxed-simd.ts) each step rounds once instead of twice. exp, log and tanh are
 * Cephes' float polynomials.
 */
import { assemble, Locals, op, splat4, splatBits, type Code, type FunctionDef } from './assembler.js';
import { relaxedSimdFma } from './relaxed-simd.js';

export const ACT_NONE = 0;
export const ACT_RELU = 1;
export const ACT_SWISH = 2;
export const ACT_MUL = 3;

/** Widths (floats) of the column tiles: 8 = two vectors, 4 = one, 1 = scalar. */
type Width = 8 | 4 | 1;

/**
 * Rows per tile: the accumulators are 4 × 8 floats (eight v128 registers). Measured
 * on the development machine: 4 × 8 at ~50 GFLOP/s per core beat 5 × 8, 3 × 8 and
 * loops unrolled over k (all 25–45), which run out of the 16 SIMD registers.
 */
const ROWS = 4;

export function gemm(name: string, transposedA: boolean, fma = false): FunctionDef {
  const [a, lda, b, ldb, c, M, K, N, bias, act, aux] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const L = new Locals(11);
  const i = L.add('i32');
  const j = L.add('i32');
  const k = L.add('i32');
  const pb = L.add('i32');
  const pc = L.add('i32');
  const lda4 = L.add('i32');
  const ldb4 = L.add('i32');
  const auxRow = L.add('i32');
  const pa = L.many('i32', ROWS);
  const acc = Array.from({ length: ROWS }, () => L.many('v128', 2));
  const bv = L.many('v128', 2);
  const av = L.add('v128');

  /** One tile: rows × width outputs at (i, j), summed over k in order; then j += width. */
  const tile = (rows: number, width: Width): Code => {
    const vectors = width === 8 ? 2 : 1;
    const scalar = width === 1;
    const load = scalar ? op.v128Load32Splat : op.v128Load;
    const bump = (local: number, by: Code): Code => [op.get(local), by, op.i32Add(), op.set(local)];
    const code: Code[] = [];
    // Accumulators start at the bias (or zero).
    code.push(op.get(bias), op.if());
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < vectors; v++) code.push(op.get(bias), op.get(j), op.i32(2), op.i32Shl(), op.i32Add(), load(16 * v), op.set(acc[r]![v]!));
    }
    code.push(op.else());
    for (let r = 0; r < rows; r++) for (let v = 0; v < vectors; v++) code.push(splat4(0), op.set(acc[r]![v]!));
    code.push(op.end());
    code.push(op.get(b), op.get(j), op.i32(2), op.i32Shl(), op.i32Add(), op.set(pb));
    if (transposedA) {
      code.push(op.get(a), op.get(i), op.i32(2), op.i32Shl(), op.i32Add(), op.set(pa[0]!));
    } else {
      for (let r = 0; r < rows; r++) {
        code.push(op.get(a), op.get(i), op.i32(r), op.i32Add(), op.get(lda4), op.i32Mul(), op.i32Add(), op.set(pa[r]!));
      }
    }
    code.push(op.get(K), op.set(k));
    code.push(op.loop());
    for (let v = 0; v < vectors; v++) code.push(op.get(pb), load(16 * v), op.set(bv[v]!));
    for (let r = 0; r < rows; r++) {
      code.push(transposedA ? [op.get(pa[0]!), op.v128Load32Splat(4 * r)] : [op.get(pa[r]!), op.v128Load32Splat(0)], op.set(av));
      for (let v = 0; v < vectors; v++) {
        const sum = acc[r]![v]!;
        code.push(fma ? [op.get(av), op.get(bv[v]!), op.get(sum), op.f32x4RelaxedMadd()] : [op.get(sum), op.get(av), op.get(bv[v]!), op.f32x4Mul(), op.f32x4Add()], op.set(sum));
      }
    }
    code.push(bump(pb, op.get(ldb4)));
    if (transposedA) code.push(bump(pa[0]!, op.get(lda4)));
    else for (let r = 0; r < rows; r++) code.push(bump(pa[r]!, op.i32(4)));
    code.push(op.get(k), op.i32(1), op.i32Sub(), op.tee(k), op.brIf(0), op.end());
    for (let r = 0; r < rows; r++) {
      code.push(op.get(c), op.get(i), op.i32(r), op.i32Add(), op.get(N), op.i32Mul(), op.get(j), op.i32Add(), op.i32(2), op.i32Shl(), op.i32Add(), op.set(pc));
      for (let v = 0; v < vectors; v++) {
        code.push(scalar ? [op.get(pc), op.get(acc[r]![v]!), op.f32x4ExtractLane(0), op.f32Store(0)] : [op.get(pc), op.get(acc[r]![v]!), op.v128Store(16 * v)]);
      }
    }
    code.push(op.get(j), op.i32(width), op.i32Add(), op.set(j));
    return code;
  };

  const rowBlock = (rows: number): Code => [
    op.i32(0),
    op.set(j),
    // 8-wide tiles, then one 4-wide, then single columns
    op.block(),
    op.loop(),
    op.get(N), op.get(j), op.i32Sub(), op.i32(8), op.i32LtS(), op.brIf(1),
    tile(rows, 8),
    op.br(0),
    op.end(),
    op.end(),
    op.get(N), op.get(j), op.i32Sub(), op.i32(4), op.i32GeS(), op.if(), tile(rows, 4), op.end(),
    op.block(),
    op.loop(),
    op.get(j), op.get(N), op.i32GeS(), op.brIf(1),
    tile(rows, 1),
    op.br(0),
    op.end(),
    op.end(),
    // the activation while these rows are still in cache
    op.get(act),
    op.if(),
    op.get(aux), op.if(), op.get(aux), op.get(i), op.get(N), op.i32Mul(), op.i32(2), op.i32Shl(), op.i32Add(), op.set(auxRow), op.else(), op.i32(0), op.set(auxRow), op.end(),
    op.get(c), op.get(i), op.get(N), op.i32Mul(), op.i32(2), op.i32Shl(), op.i32Add(),
    op.get(auxRow),
    op.get(N), op.i32(rows), op.i32Mul(),
    op.get(act),
    op.call('activate'),
    op.end(),
    op.get(i), op.i32(rows), op.i32Add(), op.set(i),
  ];

  const body: Code = [
    op.get(lda), op.i32(2), op.i32Shl(), op.set(lda4),
    op.get(ldb), op.i32(2), op.i32Shl(), op.set(ldb4),
    op.i32(0), op.set(i),
    op.block(), op.loop(),
    op.get(M), op.get(i), op.i32Sub(), op.i32(ROWS), op.i32LtS(), op.brIf(1),
    rowBlock(ROWS),
    op.br(0), op.end(), op.end(),
    op.block(), op.loop(),
    op.get(i), op.get(M), op.i32GeS(), op.brIf(1),
    rowBlock(1),
    op.br(0), op.end(), op.end(),
  ];
  return { name, params: Array(11).fill('i32'), locals: L.types, body };
}

/**
 * A loop over `count` elements of streams at the byte pointers in `pointers`: four
 * at a time, then one at a time (the same vector code on a splat, lane 0 stored),
 * so every element gets exactly the same arithmetic wherever it sits.
 */
function stream(
  pointers: readonly number[],
  count: number,
  body: (load: (p: number) => Code, store: (p: number, value: Code) => Code, scalar: boolean) => Code,
): Code {
  const advance = (bytes: number) => pointers.map((p) => [op.get(p), op.i32(bytes), op.i32Add(), op.set(p)]);
  return [
    op.block(), op.loop(),
    op.get(count), op.i32(4), op.i32LtS(), op.brIf(1),
    body((p) => [op.get(p), op.v128Load(0)], (p, value) => [op.get(p), value, op.v128Store(0)], false),
    advance(16),
    op.get(count), op.i32(4), op.i32Sub(), op.set(count),
    op.br(0), op.end(), op.end(),
    op.block(), op.loop(),
    op.get(count), op.i32(1), op.i32LtS(), op.brIf(1),
    body((p) => [op.get(p), op.v128Load32Splat(0)], (p, value) => [op.get(p), value, op.f32x4ExtractLane(0), op.f32Store(0)], true),
    advance(4),
    op.get(count), op.i32(1), op.i32Sub(), op.set(count),
    op.br(0), op.end(), op.end(),
  ];
}

/**
 * Vector constants of a function, each set once into a local at its start (a
 * v128.const inside a loop costs several instructions every iteration).
 */
class Constants {
  private readonly floats = new Map<number, number>();
  private readonly patterns = new Map<number, number>();

  constructor(private readonly locals: Locals) {}

  /** The local holding four copies of `value`. */
  f(value: number): number {
    const key = Math.fround(value);
    let local = this.floats.get(key);
    if (local === undefined) {
      local = this.locals.add('v128');
      this.floats.set(key, local);
    }
    return local;
  }

  /** The local holding four copies of a 32-bit integer. */
  bits(value: number): number {
    let local = this.patterns.get(value | 0);
    if (local === undefined) {
      local = this.locals.add('v128');
      this.patterns.set(value | 0, local);
    }
    return local;
  }

  init(): Code {
    return [
      [...this.floats].map(([value, local]) => [splat4(value), op.set(local)]),
      [...this.patterns].map(([value, local]) => [splatBits(value), op.set(local)]),
    ];
  }
}

const EXP_COEFFICIENTS = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** 1.5·2²³ + 127: adding it rounds to an integer n and leaves n + 127 in the low mantissa bits. */
const MAGIC_BIAS = 12582912 + 127;

/** p(x) = c₀xⁿ + … + cₙ by Horner's rule on the v128 in local `x`, left on the stack. */
function polynomial(K: Constants, x: number, coefficients: readonly number[]): Code {
  return [op.get(K.f(coefficients[0]!)), coefficients.slice(1).map((c) => [op.get(x), op.f32x4Mul(), op.get(K.f(c)), op.f32x4Add()])];
}

/**
 * e^x of the v128 in local `x` into local `out` (x and `n` are clobbered): Cephes'
 * expf polynomial on x − n·ln 2 with n = round(x·log₂e), times 2ⁿ made in the
 * exponent bits; inputs clamped to [−87, 88] so 2ⁿ stays a normal float.
 */
function exp4(K: Constants, x: number, out: number, n: number): Code {
  return [
    op.get(x), op.get(K.f(-87)), op.f32x4Pmax(), op.get(K.f(88)), op.f32x4Pmin(), op.set(x),
    // n + magic: its bits shifted left by 23 are 2ⁿ
    op.get(x), op.get(K.f(Math.LOG2E)), op.f32x4Mul(), op.get(K.f(MAGIC_BIAS)), op.f32x4Add(), op.tee(n),
    op.i32(23), op.i32x4Shl(), op.set(out),
    op.get(n), op.get(K.f(MAGIC_BIAS)), op.f32x4Sub(), op.set(n),
    // r = x − n·C1 − n·C2 (C1 + C2 = ln 2, C1 exact in few bits)
    op.get(x), op.get(n), op.get(K.f(0.693359375)), op.f32x4Mul(), op.f32x4Sub(), op.get(n), op.get(K.f(-2.12194440e-4)), op.f32x4Mul(), op.f32x4Sub(), op.set(x),
    polynomial(K, x, EXP_COEFFICIENTS),
    op.get(x), op.get(x), op.f32x4Mul(), op.f32x4Mul(), op.get(x), op.f32x4Add(), op.get(K.f(1)), op.f32x4Add(),
    op.get(out), op.f32x4Mul(), op.set(out),
  ];
}

const LOG_COEFFICIENTS = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
  3.3333331174e-1,
];

/**
 * ln x of the positive normal floats in local `x` into local `out` (`x`, `e`, `t` are
 * clobbered): Cephes' logf, x = m·2ᵉ with m in [√½, √2), a polynomial in m − 1.
 */
function log4(K: Constants, x: number, out: number, e: number, t: number): Code {
  return [
    // e = biased exponent − 126, m = mantissa in [0.5, 1)
    op.get(x), op.i32(23), op.i32x4ShrU(), op.get(K.bits(126)), op.i32x4Sub(), op.set(e),
    op.get(x), op.get(K.bits(0x007fffff)), op.v128And(), op.get(K.bits(0x3f000000)), op.v128Or(), op.set(x),
    // below √½: m ← 2m, e ← e − 1 (the comparison mask is −1 where true)
    op.get(x), op.get(K.f(Math.SQRT1_2)), op.f32x4Lt(), op.set(t),
    op.get(e), op.get(t), op.i32x4Add(), op.f32x4ConvertI32x4S(), op.set(e),
    op.get(x), op.get(x), op.get(t), op.v128And(), op.f32x4Add(), op.get(K.f(1)), op.f32x4Sub(), op.set(x),
    // y = x·z·P(x) − 2.12194440e−4·e − z/2, ln = x + y + 0.693359375·e
    op.get(x), op.get(x), op.f32x4Mul(), op.set(t),
    polynomial(K, x, LOG_COEFFICIENTS), op.get(x), op.f32x4Mul(), op.get(t), op.f32x4Mul(),
    op.get(e), op.get(K.f(-2.12194440e-4)), op.f32x4Mul(), op.f32x4Add(),
    op.get(t), op.get(K.f(-0.5)), op.f32x4Mul(), op.f32x4Add(),
    op.get(x), op.f32x4Add(),
    op.get(e), op.get(K.f(0.693359375)), op.f32x4Mul(), op.f32x4Add(),
    op.set(out),
  ];
}

/**
 * softplus(x) = max(x, 0) + ln(1 + e^−|x|) and its derivative sigmoid(x), of local
 * `x` (kept) into locals `softplus` and `sigmoid`; `tmp` are five scratch locals.
 * ln(1 + t) is taken as ln(u)·t/(u − 1) with u = 1 + t (t itself when u rounds to 1),
 * exact to float rounding for small t where plain ln(u) loses them.
 */
function softplusSigmoid(K: Constants, x: number, softplus: number, sigmoid: number | null, tmp: readonly number[]): Code {
  const [t, u, a, b, c] = tmp as [number, number, number, number, number];
  return [
    op.get(x), op.f32x4Abs(), op.f32x4Neg(), op.set(a),
    exp4(K, a, t, b),
    op.get(t), op.get(K.f(1)), op.f32x4Add(), op.set(u),
    // sigmoid = 1/u for x ≥ 0, t/u below
    sigmoid === null
      ? []
      : [
          op.get(K.f(1)), op.get(u), op.f32x4Div(), op.set(sigmoid),
          op.get(sigmoid), op.get(t), op.get(sigmoid), op.f32x4Mul(), op.get(x), op.get(K.f(0)), op.f32x4Ge(), op.v128Bitselect(), op.set(sigmoid),
        ],
    // ln(1 + t)
    op.get(u), op.set(a),
    log4(K, a, softplus, b, c),
    op.get(u), op.get(K.f(1)), op.f32x4Sub(), op.set(c),
    op.get(t),
    op.get(softplus), op.get(t), op.get(c), op.f32x4Div(), op.f32x4Mul(),
    op.get(c), op.get(K.f(0)), op.f32x4Eq(), op.v128Bitselect(), op.set(softplus),
    op.get(x), op.get(K.f(0)), op.f32x4Pmax(), op.get(softplus), op.f32x4Add(), op.set(softplus),
  ];
}

export function activate(): FunctionDef {
  const [c, aux, count, act] = [0, 1, 2, 3];
  const L = new Locals(4);
  const z = L.add('v128');
  const s = L.add('v128');
  const h = L.add('v128');
  const t = L.add('v128');
  const n = L.add('v128');
  const K = new Constants(L);
  const relu = (withSlope: boolean) =>
    stream(withSlope ? [c, aux] : [c], count, (load, store) => [
      load(c), op.set(z),
      store(c, [op.get(z), splat4(0), op.f32x4Pmax()]),
      withSlope ? store(aux, [op.get(z), splat4(0), op.f32x4Gt(), op.get(K.f(1)), op.v128And()]) : [],
    ]);
  const swish = (withSlope: boolean) =>
    stream(withSlope ? [c, aux] : [c], count, (load, store) => [
      load(c), op.tee(z), op.f32x4Neg(), op.set(t),
      exp4(K, t, s, n),
      // s = 1 / (1 + e^(−z)), h = z·s, slope = s + h·(1 − s)
      op.get(K.f(1)), op.get(K.f(1)), op.get(s), op.f32x4Add(), op.f32x4Div(), op.set(s),
      op.get(z), op.get(s), op.f32x4Mul(), op.set(h),
      store(c, op.get(h)),
      withSlope ? store(aux, [op.get(s), op.get(h), op.get(K.f(1)), op.get(s), op.f32x4Sub(), op.f32x4Mul(), op.f32x4Add()]) : [],
    ]);
  const multiply = stream([c, aux], count, (load, store) => store(c, [load(c), load(aux), op.f32x4Mul()]));
  const branch = (value: number, code: Code): Code => [op.get(act), op.i32(value), op.i32Eq(), op.if(), code, op.return(), op.end()];
  const branches: Code = [
    branch(ACT_RELU, [op.get(aux), op.if(), relu(true), op.else(), relu(false), op.end()]),
    branch(ACT_SWISH, [op.get(aux), op.if(), swish(true), op.else(), swish(false), op.end()]),
    branch(ACT_MUL, multiply),
  ];
  // (the constants are known once the code using them is generated)
  const body: Code = [K.init(), branches];
  return { name: 'activate', params: ['i32', 'i32', 'i32', 'i32'], locals: L.types, body };
}

function colsum(): FunctionDef {
  const [a, lda, out, K, M] = [0, 1, 2, 3, 4];
  const L = new Locals(5);
  const row = L.add('i32');
  const po = L.add('i32');
  const count = L.add('i32');
  const k = L.add('i32');
  const reset = [op.get(out), op.set(po), op.get(M), op.set(count)];
  return {
    name: 'colsum',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    locals: L.types,
    body: [
      reset,
      stream([po], count, (_load, store) => store(po, splat4(0))),
      op.get(a), op.set(row),
      op.get(K), op.set(k),
      op.loop(),
      reset,
      stream([po, row], count, (load, store) => store(po, [load(po), load(row), op.f32x4Add()])),
      // `row` advanced by M floats; step to the next row start
      op.get(row), op.get(lda), op.get(M), op.i32Sub(), op.i32(2), op.i32Shl(), op.i32Add(), op.set(row),
      op.get(k), op.i32(1), op.i32Sub(), op.tee(k), op.brIf(0),
      op.end(),
    ],
  };
}

/**
 * dst[c, r] = src[r, c]: 4 × 4 blocks through shuffles, in strips of 16 columns so
 * the destination rows being filled stay in cache (power-of-two strides otherwise
 * thrash it); scalar edges.
 */
function transpose(): FunctionDef {
  const [src, dst, rows, cols] = [0, 1, 2, 3];
  const L = new Locals(4);
  const r = L.add('i32');
  const col = L.add('i32');
  const rows4 = L.add('i32');
  const cols4 = L.add('i32');
  const strip = L.add('i32');
  const stripEnd = L.add('i32');
  const v = L.many('v128', 4);
  const t = L.many('v128', 4);
  // element (row, col) of src, and (col, row) of dst, as byte addresses
  const srcAt = (row: Code, column: Code): Code => [op.get(src), row, op.get(cols), op.i32Mul(), column, op.i32Add(), op.i32(2), op.i32Shl(), op.i32Add()];
  const dstAt = (row: Code, column: Code): Code => [op.get(dst), column, op.get(rows), op.i32Mul(), row, op.i32Add(), op.i32(2), op.i32Shl(), op.i32Add()];
  const plus = (local: number, q: number): Code => [op.get(local), op.i32(q), op.i32Add()];
  const scalarCopy = (row: Code, column: Code): Code => [dstAt(row, column), srcAt(row, column), op.f32Load(0), op.f32Store(0)];
  const block4: Code = [
    [0, 1, 2, 3].map((q) => [srcAt(plus(r, q), op.get(col)), op.v128Load(0), op.set(v[q]!)]),
    op.get(v[0]!), op.get(v[1]!), op.shuffle32([0, 4, 1, 5]), op.set(t[0]!),
    op.get(v[0]!), op.get(v[1]!), op.shuffle32([2, 6, 3, 7]), op.set(t[1]!),
    op.get(v[2]!), op.get(v[3]!), op.shuffle32([0, 4, 1, 5]), op.set(t[2]!),
    op.get(v[2]!), op.get(v[3]!), op.shuffle32([2, 6, 3, 7]), op.set(t[3]!),
    dstAt(op.get(r), plus(col, 0)), op.get(t[0]!), op.get(t[2]!), op.shuffle32([0, 1, 4, 5]), op.v128Store(0),
    dstAt(op.get(r), plus(col, 1)), op.get(t[0]!), op.get(t[2]!), op.shuffle32([2, 3, 6, 7]), op.v128Store(0),
    dstAt(op.get(r), plus(col, 2)), op.get(t[1]!), op.get(t[3]!), op.shuffle32([0, 1, 4, 5]), op.v128Store(0),
    dstAt(op.get(r), plus(col, 3)), op.get(t[1]!), op.get(t[3]!), op.shuffle32([2, 3, 6, 7]), op.v128Store(0),
  ];
  const loop = (counter: number, from: Code, below: number, step: number, body: Code): Code => [
    from, op.set(counter),
    op.block(), op.loop(),
    op.get(counter), op.i32(step), op.i32Add(), op.get(below), op.i32GtS(), op.brIf(1),
    body,
    op.get(counter), op.i32(step), op.i32Add(), op.set(counter),
    op.br(0), op.end(), op.end(),
  ];
  return {
    name: 'transpose',
    params: ['i32', 'i32', 'i32', 'i32'],
    locals: [...L.types],
    body: [
      op.get(rows), op.i32(-4), op.i32And(), op.set(rows4),
      op.get(cols), op.i32(-4), op.i32And(), op.set(cols4),
      loop(strip, op.i32(0), cols4, 16, [
        op.get(strip), op.i32(16), op.i32Add(), op.set(stripEnd),
        loop(r, op.i32(0), rows4, 4, loop(col, op.get(strip), stripEnd, 4, block4)),
      ]),
      // a last strip narrower than 16 columns
      op.get(strip), op.i32(16), op.i32Add(), op.set(stripEnd),
      loop(r, op.i32(0), rows4, 4, [loop(col, op.get(strip), cols4, 4, block4), loop(col, op.get(cols4), cols, 1, [0, 1, 2, 3].map((q) => scalarCopy(plus(r, q), op.get(col))))]),
      loop(r, op.get(rows4), rows, 1, loop(col, op.i32(0), cols, 1, scalarCopy(op.get(r), op.get(col)))),
    ],
  };
}

function adam(): FunctionDef {
  const [p, g, decay, m, v, outP, outM, outV, n] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [beta1, keep1, beta2, keep2, sqrtCorrection2, epsilon, stepSize] = [9, 10, 11, 12, 13, 14, 15];
  const L = new Locals(16);
  const vecs = { b1: L.add('v128'), k1: L.add('v128'), b2: L.add('v128'), k2: L.add('v128'), c2: L.add('v128'), eps: L.add('v128'), step: L.add('v128') };
  const grad = L.add('v128');
  const mNew = L.add('v128');
  const vNew = L.add('v128');
  const splatParam = (param: number, local: number) => [op.get(param), op.f32x4Splat(), op.set(local)];
  const update = (withDecay: boolean) =>
    stream(withDecay ? [p, g, decay, m, v, outP, outM, outV] : [p, g, m, v, outP, outM, outV], n, (load, store) => [
      withDecay ? [load(g), load(decay), load(p), op.f32x4Mul(), op.f32x4Add()] : load(g),
      op.set(grad),
      load(m), op.get(vecs.b1), op.f32x4Mul(), op.get(grad), op.get(vecs.k1), op.f32x4Mul(), op.f32x4Add(), op.set(mNew),
      load(v), op.get(vecs.b2), op.f32x4Mul(), op.get(grad), op.get(grad), op.f32x4Mul(), op.get(vecs.k2), op.f32x4Mul(), op.f32x4Add(), op.set(vNew),
      store(outM, op.get(mNew)),
      store(outV, op.get(vNew)),
      store(outP, [
        load(p),
        op.get(mNew), op.get(vNew), op.f32x4Sqrt(), op.get(vecs.c2), op.f32x4Div(), op.get(vecs.eps), op.f32x4Add(), op.f32x4Div(),
        op.get(vecs.step), op.f32x4Mul(),
        op.f32x4Sub(),
      ]),
    ]);
  return {
    name: 'adam',
    params: [...Array(9).fill('i32'), ...Array(7).fill('f32')],
    locals: L.types,
    body: [
      splatParam(beta1, vecs.b1), splatParam(keep1, vecs.k1), splatParam(beta2, vecs.b2), splatParam(keep2, vecs.k2),
      splatParam(sqrtCorrection2, vecs.c2), splatParam(epsilon, vecs.eps), splatParam(stepSize, vecs.step),
      op.get(decay), op.if(), update(true), op.else(), update(false), op.end(),
    ],
  };
}

function polyak(): FunctionDef {
  const [target, online, out, n, keep, tau] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const keepV = L.add('v128');
  const tauV = L.add('v128');
  return {
    name: 'polyak',
    params: ['i32', 'i32', 'i32', 'i32', 'f32', 'f32'],
    locals: L.types,
    body: [
      op.get(keep), op.f32x4Splat(), op.set(keepV),
      op.get(tau), op.f32x4Splat(), op.set(tauV),
      stream([target, online, out], n, (load, store) => store(out, [load(target), op.get(keepV), op.f32x4Mul(), load(online), op.get(tauV), op.f32x4Mul(), op.f32x4Add()])),
    ],
  };
}

/**
 * The Gaussian head of a dynamics member (see algos/mopo/gaussian-head.ts), forward
 * and backward in one pass over its output rows [μ (D), raw log-variance (D)]:
 *   gauss_head(out, target, bounds, rows, D, dOut, dBounds, loss, scale)
 * writes dOut [rows, 2D] (the loss gradient w.r.t. the output, the loss being
 * scale·Σ((μ − y)²·e^(−lv) + lv)), adds Σ rows of the gradient w.r.t. [max, min]
 * into dBounds [2D] (zeroed first), and stores the unscaled sum at `loss`.
 *   gauss_predict(out, bounds, rows, D, means, logvars)
 * writes μ and the soft-clamped log-variance of every row.
 */
function headRows(name: string, training: boolean): FunctionDef {
  const [out, target, bounds, rows, D, dOut, dBounds, loss, scale] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [means, logvars] = [4, 5];
  const P = training ? { out, bounds, rows, D } : { out: 0, bounds: 1, rows: 2, D: 3 };
  const L = new Locals(training ? 9 : 6);
  const K = new Constants(L);
  const r = L.add('i32');
  const count = L.add('i32');
  const ptr = { mean: L.add('i32'), raw: L.add('i32'), target: L.add('i32'), max: L.add('i32'), min: L.add('i32'), dMean: L.add('i32'), dRaw: L.add('i32'), dMax: L.add('i32'), dMin: L.add('i32') };
  const v = { a: L.add('v128'), sp1: L.add('v128'), sg1: L.add('v128'), sp2: L.add('v128'), sg2: L.add('v128'), lv: L.add('v128'), inv: L.add('v128'), err: L.add('v128'), w: L.add('v128'), dLv: L.add('v128'), thr: L.add('v128'), dRaw: L.add('v128') };
  const tmp = L.many('v128', 5);
  const lossV = L.add('v128');
  const lossS = L.add('f32');
  const scaleV = L.add('v128');
  const twoScaleV = L.add('v128');
  const bytes = (local: number, floats: Code): Code => [op.get(local), floats, op.i32(2), op.i32Shl(), op.i32Add()];
  const rowBody = (load: (p: number) => Code, store: (p: number, value: Code) => Code, scalar: boolean): Code => [
    // lv = min + softplus(max − softplus(max − raw) − min)
    load(ptr.max), load(ptr.raw), op.f32x4Sub(), op.set(v.a),
    softplusSigmoid(K, v.a, v.sp1, training ? v.sg1 : null, tmp),
    load(ptr.max), op.get(v.sp1), op.f32x4Sub(), load(ptr.min), op.f32x4Sub(), op.set(v.a),
    softplusSigmoid(K, v.a, v.sp2, training ? v.sg2 : null, tmp),
    load(ptr.min), op.get(v.sp2), op.f32x4Add(), op.set(v.lv),
    training
      ? [
          op.get(v.lv), op.f32x4Neg(), op.set(tmp[0]!),
          exp4(K, tmp[0]!, v.inv, tmp[1]!),
          load(ptr.mean), load(ptr.target), op.f32x4Sub(), op.set(v.err),
          op.get(v.err), op.get(v.err), op.f32x4Mul(), op.get(v.inv), op.f32x4Mul(), op.set(v.w),
          scalar
            ? [op.get(lossS), op.get(v.w), op.get(v.lv), op.f32x4Add(), op.f32x4ExtractLane(0), op.f32Add(), op.set(lossS)]
            : [op.get(lossV), op.get(v.w), op.get(v.lv), op.f32x4Add(), op.f32x4Add(), op.set(lossV)],
          store(ptr.dMean, [op.get(v.err), op.get(v.inv), op.f32x4Mul(), op.get(twoScaleV), op.f32x4Mul()]),
          op.get(K.f(1)), op.get(v.w), op.f32x4Sub(), op.get(scaleV), op.f32x4Mul(), op.set(v.dLv),
          op.get(v.dLv), op.get(v.sg2), op.f32x4Mul(), op.set(v.thr),
          op.get(v.thr), op.get(v.sg1), op.f32x4Mul(), op.set(v.dRaw),
          store(ptr.dRaw, op.get(v.dRaw)),
          store(ptr.dMax, [load(ptr.dMax), op.get(v.thr), op.get(v.dRaw), op.f32x4Sub(), op.f32x4Add()]),
          store(ptr.dMin, [load(ptr.dMin), op.get(v.dLv), op.get(v.thr), op.f32x4Sub(), op.f32x4Add()]),
        ]
      : [store(ptr.dMean, load(ptr.mean)), store(ptr.dRaw, op.get(v.lv))],
  ];
  const streams = training
    ? [ptr.mean, ptr.raw, ptr.target, ptr.max, ptr.min, ptr.dMean, ptr.dRaw, ptr.dMax, ptr.dMin]
    : [ptr.mean, ptr.raw, ptr.max, ptr.min, ptr.dMean, ptr.dRaw];
  const twoD = [op.get(P.D), op.i32(1), op.i32Shl()];
  const loop: Code = [
    op.i32(0), op.set(r),
    op.block(), op.loop(),
    op.get(r), op.get(P.rows), op.i32GeS(), op.brIf(1),
    bytes(P.out, [op.get(r), twoD, op.i32Mul()]), op.set(ptr.mean),
    bytes(ptr.mean, op.get(P.D)), op.set(ptr.raw),
    op.get(P.bounds), op.set(ptr.max),
    bytes(P.bounds, op.get(P.D)), op.set(ptr.min),
    training
      ? [
          bytes(target, [op.get(r), op.get(D), op.i32Mul()]), op.set(ptr.target),
          bytes(dOut, [op.get(r), twoD, op.i32Mul()]), op.set(ptr.dMean),
          bytes(ptr.dMean, op.get(D)), op.set(ptr.dRaw),
          op.get(dBounds), op.set(ptr.dMax),
          bytes(dBounds, op.get(D)), op.set(ptr.dMin),
        ]
      : [
          bytes(means, [op.get(r), op.get(P.D), op.i32Mul()]), op.set(ptr.dMean),
          bytes(logvars, [op.get(r), op.get(P.D), op.i32Mul()]), op.set(ptr.dRaw),
        ],
    op.get(P.D), op.set(count),
    stream(streams, count, rowBody),
    op.get(r), op.i32(1), op.i32Add(), op.set(r),
    op.br(0), op.end(), op.end(),
  ];
  const body: Code = training
    ? [
        K.init(),
        op.get(scale), op.f32x4Splat(), op.set(scaleV),
        op.get(scale), op.get(scale), op.f32Add(), op.f32x4Splat(), op.set(twoScaleV),
        splat4(0), op.set(lossV),
        op.f32(0), op.set(lossS),
        op.get(dBounds), op.set(ptr.dMax), twoD, op.set(count),
        stream([ptr.dMax], count, (_load, store) => store(ptr.dMax, splat4(0))),
        loop,
        op.get(loss),
        op.get(lossV), op.f32x4ExtractLane(0), op.get(lossV), op.f32x4ExtractLane(1), op.f32Add(),
        op.get(lossV), op.f32x4ExtractLane(2), op.get(lossV), op.f32x4ExtractLane(3), op.f32Add(), op.f32Add(),
        op.get(lossS), op.f32Add(),
        op.f32Store(0),
      ]
    : [K.init(), loop];
  return { name, params: training ? [...Array(8).fill('i32'), 'f32'] : Array(6).fill('i32'), locals: L.types, body };
}

const TANH_COEFFICIENTS = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];

/**
 * tanh of local `x` (kept) into local `out`; `tmp` are four scratch locals. Cephes'
 * tanhf: x + x³·P(x²) below |x| = 0.625, else 1 − 2/(e^(2|x|) + 1), signed like x.
 */
function tanh4(K: Constants, x: number, out: number, tmp: readonly number[]): Code {
  const [a, b, z, big] = tmp as [number, number, number, number];
  return [
    // large |x|: 1 − 2/(e^(2|x|) + 1)
    op.get(x), op.f32x4Abs(), op.tee(z), op.get(z), op.f32x4Add(), op.set(a),
    exp4(K, a, b, big),
    op.get(K.f(1)), op.get(K.f(2)), op.get(b), op.get(K.f(1)), op.f32x4Add(), op.f32x4Div(), op.f32x4Sub(), op.set(b),
    // small |x|: polynomial (on |x|), then pick by |x| < 0.625
    op.get(z), op.get(z), op.f32x4Mul(), op.set(a),
    polynomial(K, a, TANH_COEFFICIENTS), op.get(a), op.f32x4Mul(), op.get(z), op.f32x4Mul(), op.get(z), op.f32x4Add(),
    op.get(b),
    op.get(z), op.get(K.f(0.625)), op.f32x4Lt(),
    op.v128Bitselect(), op.set(out),
    // the sign of x
    op.get(out), op.get(x), op.get(K.bits(0x80000000)), op.v128And(), op.v128Or(), op.set(out),
  ];
}

/**
 * SAC's tanh-squashed Gaussian (algos/tanh-gaussian.ts) in one pass per row:
 *   squashed_sample(head, noise, rows, A, action, logProb, std, free, lo, hi)
 * with head rows [mean (A), raw log-std (A)]: ℓ = clamp(raw, lo, hi), σ = eˡ,
 * u = mean + σ·ε, action = tanh u, free = 1 where ℓ = raw, and
 * log π = −Σ(ε²/2 + ℓ + 2(ln 2 − u − softplus(−2u))) − A·ln(2π)/2.
 *   squashed_backward(action, std, noise, free, dAction, rows, A, out, dLogProb)
 * writes rows [dU (A), dℓ (A)] with dU = dAction·(1 − a²) + 2a·dLogProb and
 * dℓ = (dU·σ·ε − dLogProb)·free.
 */
function squashedSample(): FunctionDef {
  const [head, noise, rows, A, action, logProb, std, free, lo, hi] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const L = new Locals(10);
  const K = new Constants(L);
  const r = L.add('i32');
  const count = L.add('i32');
  const ptr = { mean: L.add('i32'), raw: L.add('i32'), noise: L.add('i32'), action: L.add('i32'), std: L.add('i32'), free: L.add('i32') };
  const v = { lo: L.add('v128'), hi: L.add('v128'), ls: L.add('v128'), sd: L.add('v128'), u: L.add('v128'), a: L.add('v128'), m2u: L.add('v128'), sp: L.add('v128'), sg: L.add('v128') };
  const tmp = L.many('v128', 5);
  const sumV = L.add('v128');
  const sumS = L.add('f32');
  const bytes = (base: number, floats: Code): Code => [op.get(base), floats, op.i32(2), op.i32Shl(), op.i32Add()];
  const body = (load: (p: number) => Code, store: (p: number, value: Code) => Code, scalar: boolean): Code => [
    load(ptr.raw), op.get(v.lo), op.f32x4Pmax(), op.get(v.hi), op.f32x4Pmin(), op.set(v.ls),
    store(ptr.free, [op.get(v.ls), load(ptr.raw), op.f32x4Eq(), op.get(K.f(1)), op.v128And()]),
    op.get(v.ls), op.set(tmp[0]!),
    exp4(K, tmp[0]!, v.sd, tmp[1]!),
    store(ptr.std, op.get(v.sd)),
    load(ptr.mean), op.get(v.sd), load(ptr.noise), op.f32x4Mul(), op.f32x4Add(), op.set(v.u),
    tanh4(K, v.u, v.a, tmp),
    store(ptr.action, op.get(v.a)),
    op.get(v.u), op.get(K.f(-2)), op.f32x4Mul(), op.set(v.m2u),
    softplusSigmoid(K, v.m2u, v.sp, null, tmp),
    // ((ε²·½ + ℓ) + (ln 2 − u − softplus(−2u))·2)
    load(ptr.noise), load(ptr.noise), op.f32x4Mul(), op.get(K.f(0.5)), op.f32x4Mul(), op.get(v.ls), op.f32x4Add(),
    op.get(K.f(Math.LN2)), op.get(v.u), op.f32x4Sub(), op.get(v.sp), op.f32x4Sub(), op.get(K.f(2)), op.f32x4Mul(),
    op.f32x4Add(),
    scalar ? [op.f32x4ExtractLane(0), op.get(sumS), op.f32Add(), op.set(sumS)] : [op.get(sumV), op.f32x4Add(), op.set(sumV)],
  ];
  const loop: Code = [
    op.i32(0), op.set(r),
    op.block(), op.loop(),
    op.get(r), op.get(rows), op.i32GeS(), op.brIf(1),
    bytes(head, [op.get(r), op.get(A), op.i32Mul(), op.i32(1), op.i32Shl()]), op.set(ptr.mean),
    bytes(ptr.mean, op.get(A)), op.set(ptr.raw),
    bytes(noise, [op.get(r), op.get(A), op.i32Mul()]), op.set(ptr.noise),
    bytes(action, [op.get(r), op.get(A), op.i32Mul()]), op.set(ptr.action),
    bytes(std, [op.get(r), op.get(A), op.i32Mul()]), op.set(ptr.std),
    bytes(free, [op.get(r), op.get(A), op.i32Mul()]), op.set(ptr.free),
    splat4(0), op.set(sumV),
    op.f32(0), op.set(sumS),
    op.get(A), op.set(count),
    stream([ptr.mean, ptr.raw, ptr.noise, ptr.action, ptr.std, ptr.free], count, body),
    // log π = −Σ − A·ln(2π)/2
    bytes(logProb, op.get(r)),
    op.get(sumV), op.f32x4ExtractLane(0), op.get(sumV), op.f32x4ExtractLane(1), op.f32Add(),
    op.get(sumV), op.f32x4ExtractLane(2), op.get(sumV), op.f32x4ExtractLane(3), op.f32Add(), op.f32Add(),
    op.get(sumS), op.f32Add(),
    op.f32Neg(),
    op.get(A), op.f32ConvertI32S(), op.f32(0.5 * Math.log(2 * Math.PI)), op.f32Mul(), op.f32Sub(),
    op.f32Store(0),
    op.get(r), op.i32(1), op.i32Add(), op.set(r),
    op.br(0), op.end(), op.end(),
  ];
  return {
    name: 'squashed_sample',
    params: [...Array(8).fill('i32'), 'f32', 'f32'],
    locals: L.types,
    body: [K.init(), op.get(lo), op.f32x4Splat(), op.set(v.lo), op.get(hi), op.f32x4Splat(), op.set(v.hi), loop],
  };
}

function squashedBackward(): FunctionDef {
  const [action, std, noise, free, dAction, rows, A, out, dLogProb] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const L = new Locals(9);
  const K = new Constants(L);
  const r = L.add('i32');
  const count = L.add('i32');
  const ptr = { action: L.add('i32'), std: L.add('i32'), noise: L.add('i32'), free: L.add('i32'), dAction: L.add('i32'), dU: L.add('i32'), dLs: L.add('i32') };
  const dlp = L.add('v128');
  const a = L.add('v128');
  const dU = L.add('v128');
  const bytes = (base: number, floats: Code): Code => [op.get(base), floats, op.i32(2), op.i32Shl(), op.i32Add()];
  const at = [op.get(r), op.get(A), op.i32Mul()];
  const loop: Code = [
    op.i32(0), op.set(r),
    op.block(), op.loop(),
    op.get(r), op.get(rows), op.i32GeS(), op.brIf(1),
    bytes(action, at), op.set(ptr.action),
    bytes(std, at), op.set(ptr.std),
    bytes(noise, at), op.set(ptr.noise),
    bytes(free, at), op.set(ptr.free),
    bytes(dAction, at), op.set(ptr.dAction),
    bytes(out, [at, op.i32(1), op.i32Shl()]), op.set(ptr.dU),
    bytes(ptr.dU, op.get(A)), op.set(ptr.dLs),
    op.get(A), op.set(count),
    stream([ptr.action, ptr.std, ptr.noise, ptr.free, ptr.dAction, ptr.dU, ptr.dLs], count, (load, store) => [
      load(ptr.action), op.set(a),
      load(ptr.dAction), op.get(K.f(1)), op.get(a), op.get(a), op.f32x4Mul(), op.f32x4Sub(), op.f32x4Mul(),
      op.get(a), op.get(K.f(2)), op.f32x4Mul(), op.get(dlp), op.f32x4Mul(),
      op.f32x4Add(), op.set(dU),
      store(ptr.dU, op.get(dU)),
      store(ptr.dLs, [op.get(dU), load(ptr.std), op.f32x4Mul(), load(ptr.noise), op.f32x4Mul(), op.get(dlp), op.f32x4Sub(), load(ptr.free), op.f32x4Mul()]),
    ]),
    op.get(r), op.i32(1), op.i32Add(), op.set(r),
    op.br(0), op.end(), op.end(),
  ];
  return {
    name: 'squashed_backward',
    params: [...Array(8).fill('i32'), 'f32'],
    locals: L.types,
    body: [K.init(), op.get(dLogProb), op.f32x4Splat(), op.set(dlp), loop],
  };
}

export interface KernelExports {
  gemm_nn(a: number, lda: number, b: number, ldb: number, c: number, M: number, K: number, N: number, bias: number, act: number, aux: number): void;
  gemm_tn(a: number, lda: number, b: number, ldb: number, c: number, M: number, K: number, N: number, bias: number, act: number, aux: number): void;
  colsum(a: number, lda: number, out: number, K: number, M: number): void;
  activate(c: number, aux: number, count: number, act: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  adam(
    p: number, g: number, decay: number, m: number, v: number, outP: number, outM: number, outV: number, n: number,
    beta1: number, keep1: number, beta2: number, keep2: number, sqrtCorrection2: number, epsilon: number, stepSize: number,
  ): void;
  polyak(target: number, online: number, out: number, n: number, keep: number, tau: number): void;
  gauss_head(out: number, target: number, bounds: number, rows: number, D: number, dOut: number, dBounds: number, loss: number, scale: number): void;
  gauss_predict(out: number, bounds: number, rows: number, D: number, means: number, logvars: number): void;
  squashed_sample(head: number, noise: number, rows: number, A: number, action: number, logProb: number, std: number, free: number, lo: number, hi: number): void;
  squashed_backward(action: number, std: number, noise: number, free: number, dAction: number, rows: number, A: number, out: number, dLogProb: number): void;
}

/** The WebAssembly JS API (typed here: the project's TypeScript libs do not include it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

/** A WebAssembly.Memory. */
export type WasmMemory = object;

const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const compiled = new Map<boolean, object>();

/** The kernels' module; with `fma` its products use relaxed SIMD's fused multiply-add (see relaxed-simd.ts). */
export function kernelModuleBytes(fma: boolean): Uint8Array {
  return assemble([
    gemm('gemm_nn', false, fma),
    gemm('gemm_tn', true, fma),
    activate(),
    colsum(),
    transpose(),
    adam(),
    polyak(),
    headRows('gauss_head', true),
    headRows('gauss_predict', false),
    squashedSample(),
    squashedBackward(),
  ]);
}

/**
 * Kernels working in `memory`, with fused multiply-adds where this process uses them
 * (relaxedSimdFma) unless `fma` says otherwise; each module is compiled once per thread.
 */
export function instantiateKernels(memory: WasmMemory, fma = relaxedSimdFma()): KernelExports {
  let module = compiled.get(fma);
  if (!module) {
    module = new wasmApi.Module(kernelModuleBytes(fma));
    compiled.set(fma, module);
  }
  return new wasmApi.Instance(module, { env: { memory } }).exports as KernelExports;
}
