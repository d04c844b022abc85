import type { DType, TypedArray, UnaryOp } from '../../interface';

/**
 * Element-wise unary op, one tight loop per op. Results are computed in double and rounded once by
 * the store, which also gives int32 its wrap-around (ToInt32) and float -> int truncation.
 * Sign-dependent ops avoid data-dependent branches (`+(cond)` compiles to a flag move): on inputs
 * of random sign a branch mispredicts half the time and measured 3-4x slower.
 */
export function unaryKernel(op: UnaryOp, x: TypedArray, out: TypedArray, inDtype: DType): void {
  const n = x.length;
  switch (op) {
    case 'identity':
      out.set(x);
      return;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      return;
    case 'sign':
      // 0, -0 and NaN map to themselves, as numpy does; that branch is rarely taken, so it predicts well.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v === 0 || v !== v ? v : +(v > 0) - +(v < 0);
      }
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case 'rsqrt':
      for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]);
      return;
    case 'square':
      if (inDtype === 'int32') {
        // A double product of two int32s can exceed 2^53 and lose the low bits the wrap keeps.
        for (let i = 0; i < n; i++) out[i] = Math.imul(x[i], x[i]);
      } else {
        for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      }
      return;
    case 'reciprocal':
      for (let i = 0; i < n; i++) out[i] = 1 / x[i];
      return;
    case 'relu':
      // (v + |v|) / 2 is exact for float32 and int32 values held in double. It is NaN only for NaN
      // (kept, as relu(NaN) should be) and -Infinity (fixed to 0): a rare, well-predicted branch.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const r = (v + Math.abs(v)) * 0.5;
        out[i] = r === r ? r : v === v ? 0 : v;
      }
      return;
    case 'step':
      for (let i = 0; i < n; i++) out[i] = +(x[i] > 0);
      return;
    case 'sigmoid':
      // exp(-|v|) never overflows, so large |v| saturates to 0 or 1 instead of Inf/Inf. With
      // r = 1 / (1 + e), sigmoid is r for v >= 0 and e * r below; `positive` selects without a branch.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const e = Math.exp(-Math.abs(v));
        const r = 1 / (1 + e);
        const positive = +(v >= 0);
        out[i] = positive * r + (1 - positive) * (e * r);
      }
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case 'floor':
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]);
      return;
    case 'ceil':
      for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]);
      return;
    case 'round':
      roundHalfToEven(x, out, n);
      return;
    case 'logicalNot':
      for (let i = 0; i < n; i++) out[i] = +(x[i] === 0);
      return;
  }
  throw new Error(`cpu unary: unknown op '${String(op)}'`);
}

/** TF's round (rint): ties go to the even neighbour, unlike Math.round which sends them up. */
function roundHalfToEven(x: TypedArray, out: TypedArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    let r = Math.round(v);
    if (r - v === 0.5 && r % 2 !== 0) r -= 1;
    out[i] = r;
  }
}
