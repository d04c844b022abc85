/**
 * Colours for the activation and filter maps the worker sends quantized (inspect-schemas.ts ValueMap):
 * a value is lo + q/255·(hi − lo) of its own map; drawn either on its own range (each map's contrast
 * stretched) or on a range shared by the whole layer (maps comparable with each other).
 */
import type { ValueMap } from '../../src-app-api/inspect-schemas';

export type MapScale = 'map' | 'layer';
export type Palette = 'sequential' | 'diverging';

/** Viridis at five stops: dark purple (low) to yellow (high), readable in grey print too. */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function sequentialColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** Blue (negative) – white (0) – red (positive), t in [−1, 1]. */
export function divergingColor(t: number): [number, number, number] {
  const x = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  return [x > 0 ? 255 : Math.round(255 * (1 + x)), Math.round(255 * (1 - Math.abs(x))), x < 0 ? 255 : Math.round(255 * (1 - x))];
}

/** The value of cell i of a quantized map. */
export function mapValue(map: ValueMap, i: number): number {
  return map.lo + (map.q[i] / 255) * (map.hi - map.lo);
}

/**
 * RGBA pixels of `map`. `range`: the layer's [min, max] when the scale is shared, ignored for 'map'.
 * Sequential maps stretch [lo, hi] over the palette; diverging ones put 0 at white and ±max|value| at the ends.
 */
export function mapRgba(map: ValueMap, palette: Palette, scale: MapScale, range: { min: number; max: number }): Uint8ClampedArray {
  const { min, max } = scale === 'map' ? { min: map.lo, max: map.hi } : range;
  const span = max - min;
  const absMax = Math.max(Math.abs(min), Math.abs(max), 1e-12);
  const rgba = new Uint8ClampedArray(map.q.length * 4);
  for (let i = 0; i < map.q.length; i++) {
    const v = mapValue(map, i);
    const [r, g, b] = palette === 'diverging' ? divergingColor(v / absMax) : sequentialColor(span > 0 ? (v - min) / span : 0);
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = b;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** A CSS gradient of the palette, for the legend. */
export function paletteGradient(palette: Palette): string {
  const stops = palette === 'diverging' ? [-1, -0.5, 0, 0.5, 1].map(divergingColor) : [0, 0.25, 0.5, 0.75, 1].map(sequentialColor);
  return `linear-gradient(to right, ${stops.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`).join(', ')})`;
}
