/**
 * The fused elementwise kernel: one WGSL shader per program (its key), rank class and binding layout,
 * with the shape and strides in the params buffer so one pipeline serves every shape. Each instruction
 * becomes a `let` of the same expression the unary/binary shaders use (floatExpr, expression), so a
 * fused chain computes what the primitives compute; comparisons become f32 1/0.
 *
 * Bindings: each input, then out, then params. An input that is `out` itself (an in-place update) is
 * read through `out`, since WebGPU forbids binding one buffer as read-only and read-write in one
 * dispatch. Where the inputs need more storage bindings than the device has, they are first copied
 * into one packed scratch buffer (with stridedCopy) and read from it at per-input base offsets.
 */
import { COMPARISON_OPS, type ElementwiseArgs, type ElementwiseInstr } from '../../interface';
import type { GpuContext } from '../context';
import { WebGpuBuffer } from '../buffer';
import { STORAGE_USAGE } from '../context';
import { collapseDims } from '../layout';
import { elementwiseKernel, padDims, rankClass, stridedOffsets, type Binding } from '../wgsl';
import { expression } from './binary';
import { stridedCopyKernel } from './strided-copy';
import { HELPERS, floatExpr } from './unary';

/** How the shader reaches the inputs: each bound (some read through `out`), or all packed into one. */
type Source = { readonly kind: 'bound'; readonly aliased: readonly boolean[] } | { readonly kind: 'packed'; readonly inputs: number };

function constant(value: number): string {
  const bits = new Uint32Array(Float32Array.of(value).buffer)[0];
  return `bitcast<f32>(0x${bits.toString(16)}u)`;
}

function instruction(instr: ElementwiseInstr, r: number, load: (j: number) => string): string {
  let value: string;
  if (instr.kind === 'input') value = load(instr.input);
  else if (instr.kind === 'const') value = constant(instr.value);
  else if (instr.kind === 'unary') value = floatExpr(instr.op, `r${instr.a}`);
  else {
    const e = expression(instr.op, 'f32', `r${instr.a}`, `r${instr.b}`);
    value = COMPARISON_OPS.has(instr.op) ? `f32(${e})` : e;
  }
  return `  let r${r}: f32 = ${value};`;
}

function shader(ctx: GpuContext, program: readonly ElementwiseInstr[], inputs: number, rank: number, source: Source): string {
  const offsets = Array.from({ length: inputs }, (_, j) => `o${j}`);
  const bindings: Binding[] = [];
  let load: (j: number) => string;
  if (source.kind === 'packed') {
    bindings.push({ name: 'packed', type: 'f32' });
    // Per-input base offsets follow the strides in the params.
    load = (j) => `packed[p[${1 + rank * (inputs + 1) + j}] + o${j}]`;
  } else {
    source.aliased.forEach((aliased, j) => { if (!aliased) bindings.push({ name: `in${j}`, type: 'f32' }); });
    load = (j) => (source.aliased[j] ? `out[o${j}]` : `in${j}[o${j}]`);
  }
  bindings.push({ name: 'out', type: 'f32', write: true });
  const body = [stridedOffsets(rank, 1, offsets), ...program.map((instr, r) => instruction(instr, r, load)), `  out[i] = r${program.length - 1};`];
  return elementwiseKernel(ctx.workgroupSize, bindings, body.join('\n'), HELPERS);
}

function sourceKey(source: Source): string {
  return source.kind === 'packed' ? 'packed' : source.aliased.map((a) => (a ? 'o' : 'i')).join('');
}

export function elementwiseFusedKernel(ctx: GpuContext, inputs: readonly WebGpuBuffer[], out: WebGpuBuffer, args: ElementwiseArgs): void {
  if (out.size === 0) return;
  const layout = collapseDims(args.shape, args.inputStrides);
  const rank = rankClass(layout.shape.length);
  const aliased = inputs.map((input) => input === out);
  const bound = aliased.filter((a) => !a).length;
  // Inputs, out and params must fit the device's storage bindings per stage.
  const packed = bound + 2 > ctx.device.limits.maxStorageBuffersPerShaderStage;
  const source: Source = packed ? { kind: 'packed', inputs: inputs.length } : { kind: 'bound', aliased };
  const key = `elementwise:${args.key}:n${inputs.length}:r${rank}:${sourceKey(source)}`;
  const pipeline = ctx.pipeline(key, () => shader(ctx, args.program, inputs.length, rank, source));
  const words = [
    out.size,
    ...padDims(layout.shape, rank, 1),
    ...layout.strides.flatMap((s) => padDims(s, rank, 0)),
  ];
  if (!packed) {
    const buffers = inputs.filter((_, j) => !aliased[j]).map((input) => input.gpu('elementwise'));
    ctx.dispatch(pipeline, [...buffers, out.gpu('elementwise')], Int32Array.from(words), ctx.grid(out.size));
    return;
  }
  const bases: number[] = [];
  let total = 0;
  for (const input of inputs) {
    bases.push(total);
    total += input.size;
  }
  const scratch = new WebGpuBuffer('float32', total, ctx.storage.take(total * 4, STORAGE_USAGE));
  inputs.forEach((input, j) => {
    if (input.size > 0) stridedCopyKernel(ctx, input, scratch, { shape: [input.size], strides: [1], offset: 0, outStrides: [1], outOffset: bases[j] });
  });
  ctx.dispatch(pipeline, [scratch.gpu('elementwise'), out.gpu('elementwise')], Int32Array.from([...words, ...bases]), ctx.grid(out.size));
  // Safe to reuse at once: later work is recorded after this dispatch (as in WebGpuBackend.free).
  const storage = scratch.release();
  if (storage !== null) ctx.storage.give(storage, STORAGE_USAGE);
}
