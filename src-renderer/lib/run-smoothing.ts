/**
 * TensorBoard's scalar smoothing: an exponential moving average with its start-up bias removed, so the
 * first points are not pulled toward 0. weight 0 is the raw curve; 0.99 is nearly flat. Non-finite values
 * pass through untouched and do not enter the average; a constant curve stays exactly constant.
 */
export const SMOOTHING_MAX = 0.99;

export function smoothValues(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight <= SMOOTHING_MAX)) throw new RangeError(`smoothing must be between 0 and ${SMOOTHING_MAX}, got ${weight}`);
  const first = values.find((v) => Number.isFinite(v));
  // Floating-point averaging of equal values can drift in the last bits; a flat line must stay flat.
  if (weight === 0 || first === undefined || values.every((v) => !Number.isFinite(v) || v === first)) return [...values];
  let last = 0;
  let accumulated = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    accumulated++;
    return last / (1 - weight ** accumulated);
  });
}

/** Smooths the y of [x, y] points, keeping their x. */
export function smoothPoints(points: readonly (readonly [number, number])[], weight: number): [number, number][] {
  const smoothed = smoothValues(points.map(([, y]) => y), weight);
  return points.map(([x], i) => [x, smoothed[i]]);
}
