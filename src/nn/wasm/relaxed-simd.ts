/**
 * Whether the kernels use WebAssembly relaxed SIMD's fused multiply-add
 * (f32x4.relaxed_madd) in their matrix products.
 *
 * A product then rounds once per multiply-add instead of twice: a SAC update 14 % and an
 * ensemble training step 18 % less CPU time on this project's machine (notes/speed.md),
 * and its results differ from the unfused
 * kernels (and from tfjs's XNNPACK) in the last bits. For a given machine and Node
 * build the choice is fixed, the same in every thread (V8's flags are process-wide and
 * its baseline and optimising compilers emit the same instruction), so a seed still
 * gives the same numbers run after run and with any number of compute workers.
 *
 * Off unless asked for (MOPO_WASM_FMA=1): relaxed_madd may fuse on one CPU and not on
 * another (the WebAssembly spec leaves it to the engine), so the same seed would give
 * different numbers on different machines, and the README's curves are reproduced to
 * the last digit elsewhere only with the unfused kernels. Node 20 hides relaxed SIMD
 * behind --experimental-wasm-relaxed-simd (on by default from Node 22); asked for, the
 * flag is switched on here, before the kernels are compiled, and an engine that cannot
 * validate the instruction is an error.
 */
import v8 from 'node:v8';
import { assemble, op } from './assembler.js';

let decided: boolean | null = null;

/** True when this process's kernels use the fused multiply-add (decided once per thread, the same in all). */
export function relaxedSimdFma(): boolean {
  if (decided !== null) return decided;
  if (process.env.MOPO_WASM_FMA !== '1') return (decided = false);
  if (!relaxedSimdAvailable()) throw new Error('MOPO_WASM_FMA=1, but this Node cannot run WebAssembly relaxed SIMD (f32x4.relaxed_madd).');
  return (decided = true);
}

/** Whether this engine runs relaxed SIMD, switching Node 20's flag on if that is what it takes. */
export function relaxedSimdAvailable(): boolean {
  if (validates()) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return validates();
}

/** A module with one relaxed multiply-add: does this engine accept it? */
function validates(): boolean {
  const probe = assemble([{ name: 'madd', params: ['v128', 'v128', 'v128'], results: ['v128'], locals: [], body: [op.get(0), op.get(1), op.get(2), op.f32x4RelaxedMadd()] }]);
  return (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly.validate(probe);
}
