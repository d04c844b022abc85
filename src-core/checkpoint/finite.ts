/**
 * Non-finite values in checkpoints: a diverged run (NaN loss) leaves NaN weights, and saving or restoring
 * them silently turns a good checkpoint into a useless one. The Saver refuses them unless asked.
 */
import type { NDArray } from '../ndarray';

/** How many elements of a float array are NaN or ±Infinity (0 for integer and bool arrays). */
export function countNonFinite(array: NDArray): number {
  if (array.dtype !== 'float32') return 0;
  let count = 0;
  const data = array.data;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) count++;
  return count;
}

/** The first variable holding non-finite values, described for an error message; null when all are finite. */
export function describeNonFinite(named: readonly { name: string; array: NDArray }[]): string | null {
  for (const { name, array } of named) {
    const bad = countNonFinite(array);
    if (bad > 0) {
      const others = named.filter((n) => n.name !== name && countNonFinite(n.array) > 0).length;
      const more = others > 0 ? ` (and ${others} more variable${others === 1 ? '' : 's'})` : '';
      return `variable '${name}' holds ${bad} non-finite value${bad === 1 ? '' : 's'} (NaN or Inf) of ${array.size}${more}`;
    }
  }
  return null;
}
