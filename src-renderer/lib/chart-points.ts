/** Chart.js data from a series: a NaN or infinite value has no place on an axis (it would blank or stretch it), so it is left out. */
export function chartPoints(points: readonly (readonly [number, number])[]): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const [x, y] of points) if (Number.isFinite(x) && Number.isFinite(y)) out.push({ x, y });
  return out;
}
