/** Colour maps for 28×28 heat maps: grey for digits, blue–white–red for signed values (weights, gradients). */
export type ColorMode = 'gray' | 'diverging';

export function toRgba(values: ArrayLike<number>, mode: ColorMode): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(values.length * 4);
  let scale = 1;
  if (mode === 'diverging') {
    let max = 1e-12;
    for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
    scale = 1 / max;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let r: number, g: number, b: number;
    if (mode === 'gray') {
      r = g = b = 255 - Math.round(255 * Math.min(1, Math.max(0, v)));
    } else {
      const t = Math.max(-1, Math.min(1, v * scale));
      r = t > 0 ? 255 : Math.round(255 * (1 + t));
      b = t < 0 ? 255 : Math.round(255 * (1 - t));
      g = Math.round(255 * (1 - Math.abs(t)));
    }
    rgba.set([r, g, b, 255], i * 4);
  }
  return rgba;
}

/**
 * A node's share of the step's slowest node, white (fast) to deep red (slowest), on a square-root scale
 * so the many small kernels stay distinguishable; grey when the node has no measured time.
 */
export function timeColor(ms: number | null, slowestMs: number): string {
  if (ms === null || slowestMs <= 0) return '#e5e7eb';
  const t = Math.sqrt(Math.min(1, ms / slowestMs));
  return `hsl(0, ${Math.round(20 + 70 * t)}%, ${Math.round(96 - 50 * t)}%)`;
}

/** A stable colour per op type, for the graph diagram. */
export function opColor(op: string): string {
  let h = 0;
  for (const c of op) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h}, 60%, 72%)`;
}
