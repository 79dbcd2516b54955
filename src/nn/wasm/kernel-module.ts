/**
 * The compute kernels behind fast-kernels.ts, as one WebAssembly module (128-bit SIMD)
 * that works on the memory of tfjs's WASM backend. All pointers are byte offsets in
 * that memory, all matrices float32 and row-major.
 *
 *   gemm_nn(a, lda, b, ldb, c, M, K, N, bias, act, aux)
 *       C[M,N] = A[M,K]·B[K,N] (+ bias[N]), then `act` on C:
 *       0 none; 1 ReLU (aux ← its slope 0/1); 2 swish (aux ← its slope);
 *       3 C ← C ⊙ aux (aux an input here). aux = 0: no slope written.
 *   gemm_tn(a, lda, b, ldb, c, M, K, N)
 *       C[M,N] = Aᵀ·B with A stored as [K,M] (row stride lda): a weight gradient dzᵀ·x.
 *   colsum(a, lda, out, K, M)            out[m] = Σₖ A[k,m]: a bias gradient.
 *   transpose(src, dst, rows, cols)      dst[cols,rows] = srcᵀ.
 *   adam(p, g, decay, m, v, p', m', v', n, β₁, 1−β₁, β₂, 1−β₂, √(1−β₂ᵗ), ε, lr/(1−β₁ᵗ))
 *       Adam as in adam.ts, with the gradient g + decay ⊙ p when decay ≠ 0.
 *   polyak(target, online, out, n, 1−τ, τ)
 *
 * Why hand-written: tfjs's matMul on WASM packs its right operand anew whenever that
 * tensor is new (every step, as weights change), runs transposed products ~15× slower,
 * and every elementwise op is a separate pass with ~10 µs of dispatch. These kernels
 * read weights in place from the flat parameter vector, produce a layer's gradient
 * in its layout position, and fuse the activations. Each output element is a sum over
 * k in increasing order, as in XNNPACK's kernels; exp is Cephes' expf polynomial.
 */
import { assemble, Locals, op, splat4, type Code, type FunctionDef } from './assembler.js';

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

export function gemm(name: string, transposedA: boolean): FunctionDef {
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
        code.push(op.get(acc[r]![v]!), op.get(av), op.get(bv[v]!), op.f32x4Mul(), op.f32x4Add(), op.set(acc[r]![v]!));
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
function stream(pointers: readonly number[], count: number, body: (load: (p: number) => Code, store: (p: number, value: Code) => Code) => Code): Code {
  const advance = (bytes: number) => pointers.map((p) => [op.get(p), op.i32(bytes), op.i32Add(), op.set(p)]);
  return [
    op.block(), op.loop(),
    op.get(count), op.i32(4), op.i32LtS(), op.brIf(1),
    body((p) => [op.get(p), op.v128Load(0)], (p, value) => [op.get(p), value, op.v128Store(0)]),
    advance(16),
    op.get(count), op.i32(4), op.i32Sub(), op.set(count),
    op.br(0), op.end(), op.end(),
    op.block(), op.loop(),
    op.get(count), op.i32(1), op.i32LtS(), op.brIf(1),
    body((p) => [op.get(p), op.v128Load32Splat(0)], (p, value) => [op.get(p), value, op.f32x4ExtractLane(0), op.f32Store(0)]),
    advance(4),
    op.get(count), op.i32(1), op.i32Sub(), op.set(count),
    op.br(0), op.end(), op.end(),
  ];
}

const EXP_COEFFICIENTS = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

/** Locals holding the constants of exp4, set once per call (a v128.const inside a loop costs several instructions). */
interface ExpConstants {
  values: number[];
  locals: number[];
}

/** 1.5·2²³ + 127: adding it rounds to an integer n and leaves n + 127 in the low mantissa bits. */
const MAGIC_BIAS = 12582912 + 127;

function expConstants(L: Locals): ExpConstants {
  const values = [-87, 88, Math.LOG2E, MAGIC_BIAS, 0.693359375, -2.12194440e-4, ...EXP_COEFFICIENTS, 1];
  return { values, locals: values.map(() => L.add('v128')) };
}

function setConstants(k: ExpConstants): Code {
  return k.values.map((value, i) => [splat4(value), op.set(k.locals[i]!)]);
}

/**
 * e^x of the v128 in local `x` into local `out` (x and `n` are clobbered): Cephes'
 * expf polynomial on x − n·ln 2 with n = round(x·log₂e), times 2ⁿ made in the
 * exponent bits; inputs clamped to [−87, 88] so 2ⁿ stays a normal float.
 */
function exp4(k: ExpConstants, x: number, out: number, n: number): Code {
  const [low, high, log2e, magic, c1, c2, ...rest] = k.locals;
  const coefficients = rest.slice(0, EXP_COEFFICIENTS.length);
  const one = rest[EXP_COEFFICIENTS.length]!;
  return [
    op.get(x), op.get(low!), op.f32x4Pmax(), op.get(high!), op.f32x4Pmin(), op.set(x),
    // n + magic: its bits shifted left by 23 are 2ⁿ
    op.get(x), op.get(log2e!), op.f32x4Mul(), op.get(magic!), op.f32x4Add(), op.tee(n),
    op.i32(23), op.i32x4Shl(), op.set(out),
    op.get(n), op.get(magic!), op.f32x4Sub(), op.set(n),
    // r = x − n·C1 − n·C2 (C1 + C2 = ln 2, C1 exact in few bits)
    op.get(x), op.get(n), op.get(c1!), op.f32x4Mul(), op.f32x4Sub(), op.get(n), op.get(c2!), op.f32x4Mul(), op.f32x4Sub(), op.set(x),
    op.get(coefficients[0]!),
    coefficients.slice(1).map((coef) => [op.get(x), op.f32x4Mul(), op.get(coef), op.f32x4Add()]),
    op.get(x), op.get(x), op.f32x4Mul(), op.f32x4Mul(), op.get(x), op.f32x4Add(), op.get(one), op.f32x4Add(),
    op.get(out), op.f32x4Mul(), op.set(out),
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
  const constants = expConstants(L);
  const relu = (withSlope: boolean) =>
    stream(withSlope ? [c, aux] : [c], count, (load, store) => [
      load(c), op.set(z),
      store(c, [op.get(z), splat4(0), op.f32x4Pmax()]),
      withSlope ? store(aux, [op.get(z), splat4(0), op.f32x4Gt(), splat4(1), op.v128And()]) : [],
    ]);
  const swish = (withSlope: boolean) =>
    stream(withSlope ? [c, aux] : [c], count, (load, store) => [
      load(c), op.tee(z), op.f32x4Neg(), op.set(t),
      exp4(constants, t, s, n),
      // s = 1 / (1 + e^(−z)), h = z·s, slope = s + h·(1 − s)
      splat4(1), splat4(1), op.get(s), op.f32x4Add(), op.f32x4Div(), op.set(s),
      op.get(z), op.get(s), op.f32x4Mul(), op.set(h),
      store(c, op.get(h)),
      withSlope ? store(aux, [op.get(s), op.get(h), splat4(1), op.get(s), op.f32x4Sub(), op.f32x4Mul(), op.f32x4Add()]) : [],
    ]);
  const multiply = stream([c, aux], count, (load, store) => store(c, [load(c), load(aux), op.f32x4Mul()]));
  const branch = (value: number, code: Code): Code => [op.get(act), op.i32(value), op.i32Eq(), op.if(), code, op.return(), op.end()];
  const body: Code = [
    branch(ACT_RELU, [op.get(aux), op.if(), relu(true), op.else(), relu(false), op.end()]),
    branch(ACT_SWISH, [setConstants(constants), op.get(aux), op.if(), swish(true), op.else(), swish(false), op.end()]),
    branch(ACT_MUL, multiply),
  ];
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
}

/** The WebAssembly JS API (typed here: the project's TypeScript libs do not include it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

/** A WebAssembly.Memory. */
export type WasmMemory = object;

const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: object | null = null;

export function kernelModuleBytes(): Uint8Array {
  return assemble([gemm('gemm_nn', false), gemm('gemm_tn', true), activate(), colsum(), transpose(), adam(), polyak()]);
}

/** Kernels working in `memory`; the module is compiled once per thread. */
export function instantiateKernels(memory: WasmMemory): KernelExports {
  compiled ??= new wasmApi.Module(kernelModuleBytes());
  return new wasmApi.Instance(compiled, { env: { memory } }).exports as KernelExports;
}
