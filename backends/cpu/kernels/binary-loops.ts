/**
 * The innermost loops of `binary`: one tight loop per op for each operand access pattern, so the op
 * switch runs once per row and never per element. Codes are numeric because int32 inputs need their
 * own `mul` (exact wrap) and `div` (floor) while sharing every other loop with float32.
 */
import type { BinaryOp, TypedArray } from '../../interface';

const ADD = 0, SUB = 1, MUL = 2, MUL_INT = 3, DIV = 4, DIV_INT = 5, POW = 6, MAX = 7, MIN = 8;
const EQ = 9, NE = 10, LT = 11, LE = 12, GT = 13, GE = 14, AND = 15, OR = 16;

export type BinaryCode = number;

const CODES: Record<BinaryOp, BinaryCode> = {
  add: ADD, sub: SUB, mul: MUL, div: DIV, pow: POW, max: MAX, min: MIN, equal: EQ, notEqual: NE,
  less: LT, lessEqual: LE, greater: GT, greaterEqual: GE, logicalAnd: AND, logicalOr: OR,
};

/**
 * int32 `mul` uses Math.imul because a double product can pass 2^53 and lose the bits the wrap keeps;
 * int32 `div` floors like TF-1's `div` on integers (x / 0 stores 0). add/sub are exact in double and
 * the Int32Array store wraps them.
 */
export function binaryCode(op: BinaryOp, integer: boolean): BinaryCode {
  const code = Object.hasOwn(CODES, op) ? CODES[op] : undefined;
  if (code === undefined) throw new Error(`cpu binary: unknown op '${String(op)}'`);
  if (integer && code === MUL) return MUL_INT;
  if (integer && code === DIV) return DIV_INT;
  return code;
}

type T = TypedArray;

/** A code no loop handles: thrown rather than leaving the row unwritten. */
function unknownCode(c: BinaryCode): Error {
  const op = Object.keys(CODES).find((k) => CODES[k as BinaryOp] === c) ?? `code ${c}`;
  return new Error(`cpu binary: no loop for op '${op}'`);
}

/**
 * max/min pick an operand through this two-slot table indexed by the comparison: a data-dependent
 * branch (Math.max, ?:) mispredicts on half of random inputs and measured ~3x slower. A NaN on the
 * left selects it via `u !== u`; a NaN on the right wins because every comparison with it is false.
 */
const pick = new Float64Array(2);

/** out[o+i] = a[x+i] op b[y+i] */
export function loopContiguous(c: BinaryCode, a: T, x: number, b: T, y: number, out: T, o: number, n: number): void {
  switch (c) {
    case ADD: for (let i = 0; i < n; i++) out[o + i] = a[x + i] + b[y + i]; return;
    case SUB: for (let i = 0; i < n; i++) out[o + i] = a[x + i] - b[y + i]; return;
    case MUL: for (let i = 0; i < n; i++) out[o + i] = a[x + i] * b[y + i]; return;
    case MUL_INT: for (let i = 0; i < n; i++) out[o + i] = Math.imul(a[x + i], b[y + i]); return;
    case DIV: for (let i = 0; i < n; i++) out[o + i] = a[x + i] / b[y + i]; return;
    case DIV_INT: for (let i = 0; i < n; i++) out[o + i] = Math.floor(a[x + i] / b[y + i]); return;
    case POW: for (let i = 0; i < n; i++) out[o + i] = Math.pow(a[x + i], b[y + i]); return;
    case MAX:
      for (let i = 0; i < n; i++) {
        const u = a[x + i];
        const v = b[y + i];
        pick[0] = v;
        pick[1] = u;
        out[o + i] = pick[+(u > v) | +(u !== u)];
      }
      return;
    case MIN:
      for (let i = 0; i < n; i++) {
        const u = a[x + i];
        const v = b[y + i];
        pick[0] = v;
        pick[1] = u;
        out[o + i] = pick[+(u < v) | +(u !== u)];
      }
      return;
    case EQ: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] === b[y + i]); return;
    case NE: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] !== b[y + i]); return;
    case LT: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] < b[y + i]); return;
    case LE: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] <= b[y + i]); return;
    case GT: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] > b[y + i]); return;
    case GE: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] >= b[y + i]); return;
    case AND: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] !== 0) & +(b[y + i] !== 0); return;
    case OR: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] !== 0) | +(b[y + i] !== 0); return;
  }
  throw unknownCode(c);
}

/** out[o+i] = a[x+i] op s (the right operand broadcast along the row) */
export function loopScalarRight(c: BinaryCode, a: T, x: number, s: number, out: T, o: number, n: number): void {
  switch (c) {
    case ADD: for (let i = 0; i < n; i++) out[o + i] = a[x + i] + s; return;
    case SUB: for (let i = 0; i < n; i++) out[o + i] = a[x + i] - s; return;
    case MUL: for (let i = 0; i < n; i++) out[o + i] = a[x + i] * s; return;
    case MUL_INT: for (let i = 0; i < n; i++) out[o + i] = Math.imul(a[x + i], s); return;
    case DIV: for (let i = 0; i < n; i++) out[o + i] = a[x + i] / s; return;
    case DIV_INT: for (let i = 0; i < n; i++) out[o + i] = Math.floor(a[x + i] / s); return;
    case POW: for (let i = 0; i < n; i++) out[o + i] = Math.pow(a[x + i], s); return;
    case MAX:
      for (let i = 0; i < n; i++) {
        const u = a[x + i];
        const v = s;
        pick[0] = v;
        pick[1] = u;
        out[o + i] = pick[+(u > v) | +(u !== u)];
      }
      return;
    case MIN:
      for (let i = 0; i < n; i++) {
        const u = a[x + i];
        const v = s;
        pick[0] = v;
        pick[1] = u;
        out[o + i] = pick[+(u < v) | +(u !== u)];
      }
      return;
    case EQ: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] === s); return;
    case NE: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] !== s); return;
    case LT: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] < s); return;
    case LE: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] <= s); return;
    case GT: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] > s); return;
    case GE: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] >= s); return;
    case AND: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] !== 0) & +(s !== 0); return;
    case OR: for (let i = 0; i < n; i++) out[o + i] = +(a[x + i] !== 0) | +(s !== 0); return;
  }
  throw unknownCode(c);
}

/** out[o+i] = s op b[y+i] (the left operand broadcast along the row) */
export function loopScalarLeft(c: BinaryCode, s: number, b: T, y: number, out: T, o: number, n: number): void {
  switch (c) {
    case ADD: for (let i = 0; i < n; i++) out[o + i] = s + b[y + i]; return;
    case SUB: for (let i = 0; i < n; i++) out[o + i] = s - b[y + i]; return;
    case MUL: for (let i = 0; i < n; i++) out[o + i] = s * b[y + i]; return;
    case MUL_INT: for (let i = 0; i < n; i++) out[o + i] = Math.imul(s, b[y + i]); return;
    case DIV: for (let i = 0; i < n; i++) out[o + i] = s / b[y + i]; return;
    case DIV_INT: for (let i = 0; i < n; i++) out[o + i] = Math.floor(s / b[y + i]); return;
    case POW: for (let i = 0; i < n; i++) out[o + i] = Math.pow(s, b[y + i]); return;
    case MAX:
      for (let i = 0; i < n; i++) {
        const u = s;
        const v = b[y + i];
        pick[0] = v;
        pick[1] = u;
        out[o + i] = pick[+(u > v) | +(u !== u)];
      }
      return;
    case MIN:
      for (let i = 0; i < n; i++) {
        const u = s;
        const v = b[y + i];
        pick[0] = v;
        pick[1] = u;
        out[o + i] = pick[+(u < v) | +(u !== u)];
      }
      return;
    case EQ: for (let i = 0; i < n; i++) out[o + i] = +(s === b[y + i]); return;
    case NE: for (let i = 0; i < n; i++) out[o + i] = +(s !== b[y + i]); return;
    case LT: for (let i = 0; i < n; i++) out[o + i] = +(s < b[y + i]); return;
    case LE: for (let i = 0; i < n; i++) out[o + i] = +(s <= b[y + i]); return;
    case GT: for (let i = 0; i < n; i++) out[o + i] = +(s > b[y + i]); return;
    case GE: for (let i = 0; i < n; i++) out[o + i] = +(s >= b[y + i]); return;
    case AND: for (let i = 0; i < n; i++) out[o + i] = +(s !== 0) & +(b[y + i] !== 0); return;
    case OR: for (let i = 0; i < n; i++) out[o + i] = +(s !== 0) | +(b[y + i] !== 0); return;
  }
  throw unknownCode(c);
}

/** out[o+i] = a[x+i*sa] op b[y+i*sb], for rows whose strides fit none of the patterns above */
export function loopStrided(
  c: BinaryCode, a: T, x: number, sa: number, b: T, y: number, sb: number, out: T, o: number, n: number,
): void {
  const end = o + n;
  switch (c) {
    case ADD: for (; o < end; o++, x += sa, y += sb) out[o] = a[x] + b[y]; return;
    case SUB: for (; o < end; o++, x += sa, y += sb) out[o] = a[x] - b[y]; return;
    case MUL: for (; o < end; o++, x += sa, y += sb) out[o] = a[x] * b[y]; return;
    case MUL_INT: for (; o < end; o++, x += sa, y += sb) out[o] = Math.imul(a[x], b[y]); return;
    case DIV: for (; o < end; o++, x += sa, y += sb) out[o] = a[x] / b[y]; return;
    case DIV_INT: for (; o < end; o++, x += sa, y += sb) out[o] = Math.floor(a[x] / b[y]); return;
    case POW: for (; o < end; o++, x += sa, y += sb) out[o] = Math.pow(a[x], b[y]); return;
    case MAX:
      for (; o < end; o++, x += sa, y += sb) {
        const u = a[x];
        const v = b[y];
        pick[0] = v;
        pick[1] = u;
        out[o] = pick[+(u > v) | +(u !== u)];
      }
      return;
    case MIN:
      for (; o < end; o++, x += sa, y += sb) {
        const u = a[x];
        const v = b[y];
        pick[0] = v;
        pick[1] = u;
        out[o] = pick[+(u < v) | +(u !== u)];
      }
      return;
    case EQ: for (; o < end; o++, x += sa, y += sb) out[o] = +(a[x] === b[y]); return;
    case NE: for (; o < end; o++, x += sa, y += sb) out[o] = +(a[x] !== b[y]); return;
    case LT: for (; o < end; o++, x += sa, y += sb) out[o] = +(a[x] < b[y]); return;
    case LE: for (; o < end; o++, x += sa, y += sb) out[o] = +(a[x] <= b[y]); return;
    case GT: for (; o < end; o++, x += sa, y += sb) out[o] = +(a[x] > b[y]); return;
    case GE: for (; o < end; o++, x += sa, y += sb) out[o] = +(a[x] >= b[y]); return;
    case AND: for (; o < end; o++, x += sa, y += sb) out[o] = +(a[x] !== 0) & +(b[y] !== 0); return;
    case OR: for (; o < end; o++, x += sa, y += sb) out[o] = +(a[x] !== 0) | +(b[y] !== 0); return;
  }
  throw unknownCode(c);
}

/** One output row of `n` elements with the given operand strides, routed to the tightest loop. */
export function binaryRow(
  c: BinaryCode, a: T, x: number, sa: number, b: T, y: number, sb: number, out: T, o: number, n: number,
): void {
  if (sa === 1 && sb === 1) loopContiguous(c, a, x, b, y, out, o, n);
  else if (sa === 1 && sb === 0) loopScalarRight(c, a, x, b[y], out, o, n);
  else if (sa === 0 && sb === 1) loopScalarLeft(c, a[x], b, y, out, o, n);
  else loopStrided(c, a, x, sa, b, y, sb, out, o, n);
}

