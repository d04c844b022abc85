/**
 * WGSL building blocks shared by the kernel generators: storage types per dtype, the binding
 * declarations, and the linear invocation id of a (possibly 2-D folded) 1-D grid.
 */
import type { DType } from '../interface';

export type Scalar = 'f32' | 'i32' | 'u32';

/** bool lives on the GPU as u32 0/1: WGSL has no 8-bit storage type. */
export function scalarOf(dtype: DType): Scalar {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'u32';
}

export interface Binding {
  readonly name: string;
  readonly type: Scalar;
  readonly write?: boolean;
}

/** Declarations for `bindings` at 0..n-1 plus the i32 params array `p` at n (see GpuContext.dispatch). */
export function declare(bindings: readonly Binding[]): string {
  const lines = bindings.map(
    (b, i) => `@group(0) @binding(${i}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.name}: array<${b.type}>;`,
  );
  lines.push(`@group(0) @binding(${bindings.length}) var<storage, read> p: array<i32>;`);
  // ±Infinity as private variables: WGSL rejects a constant expression that evaluates to infinity.
  lines.push('var<private> posInfBits: u32 = 0x7f800000u;', 'var<private> negInfBits: u32 = 0xff800000u;');
  return lines.join('\n');
}

/**
 * A 1-D kernel: `body` runs once per i in [0, p[0]) with `i: i32` in scope. The id is rebuilt from
 * num_workgroups because large grids fold into y (65535 workgroups per dimension).
 */
export function elementwiseKernel(workgroupSize: number, bindings: readonly Binding[], body: string, helpers = ''): string {
  return `${declare(bindings)}
${helpers}
@compute @workgroup_size(${workgroupSize})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = i32((wid.y * nwg.x + wid.x) * ${workgroupSize}u + lid);
  if (i >= p[0]) { return; }
${body}
}
`;
}

/** The float32 constants WGSL has no literal for (the bits are declared by `declare`). */
export const F32_INF = 'bitcast<f32>(posInfBits)';
export const F32_NEG_INF = 'bitcast<f32>(negInfBits)';
export const I32_MIN = 'bitcast<i32>(0x80000000u)';
export const I32_MAX = '2147483647i';

/** Rank classes: one shader per class, shapes padded with leading size-1 dims up to it. */
export function rankClass(rank: number): number {
  for (const r of [1, 2, 4, 6, 8]) if (rank <= r) return r;
  throw new Error(`webgpu: rank ${rank} exceeds the largest supported rank of 8 after merging dims`);
}

/**
 * WGSL that turns the linear index `i` into offsets for each named operand, with the shape at
 * p[base..base+R) and operand k's strides at p[base+R*(k+1)..). Unrolled by the compiler (R is constant).
 */
export function stridedOffsets(rank: number, base: number, operands: readonly string[]): string {
  const lines = [`  var rest = i;`, ...operands.map((o) => `  var ${o} = 0;`)];
  lines.push(`  for (var d = ${rank - 1}; d >= 0; d--) {`);
  lines.push(`    let dim = p[${base} + d];`);
  lines.push(`    let c = rest % dim;`);
  lines.push(`    rest = rest / dim;`);
  operands.forEach((o, k) => lines.push(`    ${o} += c * p[${base + rank * (k + 1)} + d];`));
  lines.push('  }');
  return lines.join('\n');
}

/** Pads shape/strides to `rank` with leading size-1, stride-0 dims. */
export function padDims(values: readonly number[], rank: number, fill: number): number[] {
  return [...new Array<number>(rank - values.length).fill(fill), ...values];
}

/**
 * A tree reduction of `sh[0..wg)` in workgroup memory into `sh[0]`, halving the active threads per
 * level; `combine` is an expression in `a` and `b`. Every thread of the workgroup must reach it.
 */
export function treeReduce(workgroupSize: number, combine: (a: string, b: string) => string): string {
  return `  workgroupBarrier();
  for (var s = ${workgroupSize / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = ${combine('sh[lid]', 'sh[lid + s]')}; }
    workgroupBarrier();
  }`;
}

/** The row handled by one workgroup (the grid folds into y past 65535 workgroups). */
export const WORKGROUP_ROW = 'let row = i32(wid.y * nwg.x + wid.x);';
