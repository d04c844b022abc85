/**
 * The loss and accuracy series as both ends keep them: the worker (to persist with a checkpoint and to
 * hand a reloaded page the whole curve) and the renderer's charts thin them the same way, so a restored
 * curve looks exactly like the live one did.
 */
export type SeriesPoint = [step: number, value: number];

/** A series keeps at most this many points; past it, older ones are thinned to every other one. */
export const MAX_SERIES_POINTS = 1500;

export function appendSeries(series: readonly SeriesPoint[], points: readonly SeriesPoint[]): SeriesPoint[] {
  const next = series.concat(points);
  return next.length > MAX_SERIES_POINTS ? next.filter((_, i) => i % 2 === 0 || i === next.length - 1) : next;
}
