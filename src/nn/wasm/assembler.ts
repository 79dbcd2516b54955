/**
 * A small WebAssembly binary writer: just enough to express the compute kernels in
 * kernel-module.ts (integer and float scalars, 128-bit SIMD, loops, calls) without a
 * compiler toolchain. Code is written as nested arrays of bytes; `call(name)` is
 * resolved to a function index when the module is assembled.
 *
 * The module imports its memory (`env.memory`): the kernels work in place on the
 * memory of tfjs's WASM backend, where its tensors live.
 */
export type ValType = 'i32' | 'f32' | 'v128';

export type Code = number | CallRef | readonly Code[];

interface CallRef {
  call: string;
}

export interface FunctionDef {
  name: string;
  params: readonly ValType[];
  results?: readonly ValType[];
  locals: readonly ValType[];
  body: Code;
  /** Exported under its name (default true). */
  exported?: boolean;
}

const TYPE_BYTE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

function uleb(value: number): number[] {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let n = value | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function name(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  return [...uleb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Memory access: natural alignment hint of 4 bytes (floats), byte offset. */
function memarg(offset: number): number[] {
  return [2, ...uleb(offset)];
}

function simd(code: number, ...immediates: number[]): number[] {
  return [0xfd, ...uleb(code), ...immediates];
}

function f32Bytes(value: number): number[] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return [view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3)];
}

/** Instructions. Float and SIMD opcodes per the WebAssembly 2.0 specification. */
export const op = {
  block: (): number[] => [0x02, 0x40],
  loop: (): number[] => [0x03, 0x40],
  if: (): number[] => [0x04, 0x40],
  else: (): number[] => [0x05],
  end: (): number[] => [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  return: (): number[] => [0x0f],
  call: (fn: string): CallRef => ({ call: fn }),
  drop: (): number[] => [0x1a],

  get: (local: number): number[] => [0x20, ...uleb(local)],
  set: (local: number): number[] => [0x21, ...uleb(local)],
  tee: (local: number): number[] => [0x22, ...uleb(local)],

  i32: (value: number): number[] => [0x41, ...sleb(value)],
  f32: (value: number): number[] => [0x43, ...f32Bytes(value)],

  f32Load: (offset = 0): number[] => [0x2a, ...memarg(offset)],
  f32Store: (offset = 0): number[] => [0x38, ...memarg(offset)],

  i32Eqz: (): number[] => [0x45],
  i32Eq: (): number[] => [0x46],
  i32Ne: (): number[] => [0x47],
  i32LtS: (): number[] => [0x48],
  i32GtS: (): number[] => [0x4a],
  i32LeS: (): number[] => [0x4c],
  i32GeS: (): number[] => [0x4e],
  i32Add: (): number[] => [0x6a],
  i32Sub: (): number[] => [0x6b],
  i32Mul: (): number[] => [0x6c],
  i32And: (): number[] => [0x71],
  i32Shl: (): number[] => [0x74],

  f32Neg: (): number[] => [0x8c],
  f32Add: (): number[] => [0x92],
  f32Sub: (): number[] => [0x93],
  f32Mul: (): number[] => [0x94],
  f32ConvertI32S: (): number[] => [0xb2],

  v128Load: (offset = 0): number[] => simd(0x00, ...memarg(offset)),
  v128Load32Splat: (offset = 0): number[] => simd(0x09, ...memarg(offset)),
  v128Store: (offset = 0): number[] => simd(0x0b, ...memarg(offset)),
  v128Const: (values: readonly [number, number, number, number]): number[] => simd(0x0c, ...values.flatMap(f32Bytes)),
  v128And: (): number[] => simd(0x4e),
  v128Or: (): number[] => simd(0x50),
  /** v128.bitselect(a, b, mask): bits of a where mask is 1, of b elsewhere. */
  v128Bitselect: (): number[] => simd(0x52),
  /** i8x16.shuffle by 32-bit lanes: 0–3 from the first operand, 4–7 from the second. */
  shuffle32: (lanes: readonly [number, number, number, number]): number[] => simd(0x0d, ...lanes.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3])),
  i32x4Splat: (): number[] => simd(0x11),
  f32x4Splat: (): number[] => simd(0x13),
  f32x4ExtractLane: (lane: number): number[] => simd(0x1f, lane),
  f32x4Eq: (): number[] => simd(0x41),
  f32x4Lt: (): number[] => simd(0x43),
  f32x4Gt: (): number[] => simd(0x44),
  f32x4Ge: (): number[] => simd(0x46),
  f32x4Nearest: (): number[] => simd(0x6a),
  i32x4Shl: (): number[] => simd(0xab),
  i32x4ShrU: (): number[] => simd(0xad),
  i32x4Add: (): number[] => simd(0xae),
  i32x4Sub: (): number[] => simd(0xb1),
  f32x4Abs: (): number[] => simd(0xe0),
  f32x4Neg: (): number[] => simd(0xe1),
  f32x4Sqrt: (): number[] => simd(0xe3),
  f32x4Add: (): number[] => simd(0xe4),
  f32x4Sub: (): number[] => simd(0xe5),
  f32x4Mul: (): number[] => simd(0xe6),
  f32x4Div: (): number[] => simd(0xe7),
  f32x4Min: (): number[] => simd(0xe8),
  f32x4Max: (): number[] => simd(0xe9),
  /** Pseudo-minimum b < a ? b : a (one instruction; f32x4.min's NaN and ±0 rules cost several). */
  f32x4Pmin: (): number[] => simd(0xea),
  /** Pseudo-maximum a < b ? b : a. */
  f32x4Pmax: (): number[] => simd(0xeb),
  i32x4TruncSatF32x4S: (): number[] => simd(0xf8),
  f32x4ConvertI32x4S: (): number[] => simd(0xfa),
  /**
   * Relaxed SIMD's f32x4.relaxed_madd(a, b, c) = a·b + c, fused or not as the engine
   * chooses for the machine (V8: one fused multiply-add where the CPU has FMA3). Only
   * valid in engines with relaxed SIMD (see relaxed-simd.ts).
   */
  f32x4RelaxedMadd: (): number[] => simd(0x105),
};

export function splat4(value: number): number[] {
  return op.v128Const([value, value, value, value]);
}

/** Four copies of a 32-bit integer pattern. */
export function splatBits(value: number): number[] {
  return [...op.i32(value | 0), ...op.i32x4Splat()];
}

/** Allocates local indices after the parameters. */
export class Locals {
  readonly types: ValType[] = [];

  constructor(private readonly paramCount: number) {}

  add(type: ValType): number {
    this.types.push(type);
    return this.paramCount + this.types.length - 1;
  }

  many(type: ValType, count: number): number[] {
    return Array.from({ length: count }, () => this.add(type));
  }
}

export function assemble(functions: readonly FunctionDef[]): Uint8Array {
  const index = new Map(functions.map((fn, i) => [fn.name, i]));
  const flatten = (code: Code, out: number[]): number[] => {
    if (typeof code === 'number') out.push(code);
    else if (Array.isArray(code)) for (const part of code as readonly Code[]) flatten(part, out);
    else {
      const target = index.get((code as CallRef).call);
      if (target === undefined) throw new Error(`assemble: no function ${(code as CallRef).call}`);
      out.push(0x10, ...uleb(target));
    }
    return out;
  };
  const types = functions.map((fn) => [0x60, ...vector(fn.params.map((t) => [TYPE_BYTE[t]])), ...vector((fn.results ?? []).map((t) => [TYPE_BYTE[t]]))]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  const exported = functions.map((fn, i) => ({ fn, i })).filter(({ fn }) => fn.exported !== false);
  const bodies = functions.map((fn) => {
    const body = [...vector(fn.locals.map((t) => [1, TYPE_BYTE[t]])), ...flatten(fn.body, []), 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(exported.map(({ fn, i }) => [...name(fn.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(bodies)),
  ]);
}
