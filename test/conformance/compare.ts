/** Element-wise comparisons whose failure messages name the case, the index, both values and the bound. */
import { expect } from 'vitest';
import type { Tolerance } from './harness';

/** At most this many mismatches are listed; the count says how many there were in all. */
const SHOWN = 4;

function report(label: string, bad: string[], count: number, total: number): never {
  expect.fail(`${label}: ${count} of ${total} elements differ, e.g. ${bad.join('; ')}`);
}

/**
 * |got - want| <= atol + rtol * scale, where scale is `magnitude[i]` when given (the sum of |terms| of
 * an accumulation, since cancellation makes |want| meaningless there) and |want| otherwise. Non-finite
 * wants must be matched exactly; NaN matches NaN.
 */
export function expectClose(
  got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, label: string, magnitude?: ArrayLike<number>,
): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    let ok: boolean;
    let bound = 0;
    if (Number.isNaN(w)) ok = Number.isNaN(g);
    else if (!Number.isFinite(w)) ok = g === w;
    else {
      bound = tol.atol + tol.rtol * (magnitude === undefined ? Math.abs(w) : magnitude[i]);
      ok = Math.abs(g - w) <= bound;
    }
    if (!ok && count++ < SHOWN) bad.push(`[${i}] got ${g}, want ${w} (diff ${Math.abs(g - w)}, bound ${bound})`);
  }
  if (count > 0) report(label, bad, count, want.length);
}

/** Bit-for-bit equality, except that 0 equals -0 and NaN equals NaN. */
export function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (g === w || (Number.isNaN(g) && Number.isNaN(w))) continue;
    if (count++ < SHOWN) bad.push(`[${i}] got ${g}, want ${w}`);
  }
  if (count > 0) report(label, bad, count, want.length);
}

/** Exact when the tolerance is zero (so the message shows no bound), else close. */
export function expectWithin(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, label: string): void {
  if (tol.rtol === 0 && tol.atol === 0) expectExact(got, want, label);
  else expectClose(got, want, tol, label);
}
