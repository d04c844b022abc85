import { unknownOp, type DType, type TypedArray, type UnaryOp } from '../../interface';

/**
 * Element-wise unary op, one tight loop per op. Results are computed in double and rounded once by
 * the store, which also gives int32 its wrap-around (ToInt32) and float -> int truncation.
 * Sign-dependent ops avoid data-dependent branches (`+(cond)` compiles to a flag move): on inputs
 * of random sign a branch mispredicts half the time and measured 3-4x slower.
 */
export function unaryKernel(op: UnaryOp, x: TypedArray, out: TypedArray, inDtype: DType): void {
  if (op === 'identity') out.set(x);
  else unaryRange(op, x, 0, out, 0, x.length, inDtype);
}

/** out[o + i] = op(x[s + i]) for i < n: the loops of `unaryKernel`, on a range (the fused kernel's blocks). */
export function unaryRange(op: UnaryOp, x: TypedArray, s: number, out: TypedArray, o: number, n: number, inDtype: DType): void {
  switch (op) {
    case 'identity':
      for (let i = 0; i < n; i++) out[o + i] = x[s + i];
      return;
    case 'neg':
      for (let i = 0; i < n; i++) out[o + i] = -x[s + i];
      return;
    case 'abs':
      for (let i = 0; i < n; i++) out[o + i] = Math.abs(x[s + i]);
      return;
    case 'sign':
      // 0, -0 and NaN map to themselves, as numpy does; that branch is rarely taken, so it predicts well.
      for (let i = 0; i < n; i++) {
        const v = x[s + i];
        out[o + i] = v === 0 || v !== v ? v : +(v > 0) - +(v < 0);
      }
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[o + i] = Math.exp(x[s + i]);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[o + i] = Math.log(x[s + i]);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[o + i] = Math.sqrt(x[s + i]);
      return;
    case 'rsqrt':
      for (let i = 0; i < n; i++) out[o + i] = 1 / Math.sqrt(x[s + i]);
      return;
    case 'square':
      if (inDtype === 'int32') {
        // A double product of two int32s can exceed 2^53 and lose the low bits the wrap keeps.
        for (let i = 0; i < n; i++) out[o + i] = Math.imul(x[s + i], x[s + i]);
      } else {
        for (let i = 0; i < n; i++) out[o + i] = x[s + i] * x[s + i];
      }
      return;
    case 'reciprocal':
      for (let i = 0; i < n; i++) out[o + i] = 1 / x[s + i];
      return;
    case 'relu':
      // (v + |v|) / 2 is exact for float32 and int32 values held in double. It is NaN only for NaN
      // (kept, as relu(NaN) should be) and -Infinity (fixed to 0): a rare, well-predicted branch.
      for (let i = 0; i < n; i++) {
        const v = x[s + i];
        const r = (v + Math.abs(v)) * 0.5;
        out[o + i] = r === r ? r : v === v ? 0 : v;
      }
      return;
    case 'step':
      for (let i = 0; i < n; i++) out[o + i] = +(x[s + i] > 0);
      return;
    case 'sigmoid':
      // exp(-|v|) never overflows, so large |v| saturates to 0 or 1 instead of Inf/Inf. With
      // r = 1 / (1 + e), sigmoid is r for v >= 0 and e * r below; `positive` selects without a branch.
      for (let i = 0; i < n; i++) {
        const v = x[s + i];
        const e = Math.exp(-Math.abs(v));
        const r = 1 / (1 + e);
        const positive = +(v >= 0);
        out[o + i] = positive * r + (1 - positive) * (e * r);
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[o + i] = Math.tanh(x[s + i]);
      return;
    case 'floor':
      for (let i = 0; i < n; i++) out[o + i] = Math.floor(x[s + i]);
      return;
    case 'ceil':
      for (let i = 0; i < n; i++) out[o + i] = Math.ceil(x[s + i]);
      return;
    case 'round':
      roundHalfToEven(x, s, out, o, n);
      return;
    case 'logicalNot':
      for (let i = 0; i < n; i++) out[o + i] = +(x[s + i] === 0);
      return;
  }
  unknownOp('cpu unary', op);
}

/** TF's round (rint): ties go to the even neighbour, unlike Math.round which sends them up. */
function roundHalfToEven(x: TypedArray, s: number, out: TypedArray, o: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[s + i];
    let r = Math.round(v);
    if (r - v === 0.5 && r % 2 !== 0) r -= 1;
    out[o + i] = r;
  }
}
