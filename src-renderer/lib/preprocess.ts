/**
 * MNIST's own preprocessing for a drawn digit (LeCun et al.): the ink's bounding box is scaled to fit
 * 20×20 keeping its aspect ratio, with area averaging (so thin strokes become grey, anti-aliased edges),
 * then placed in a 28×28 field so that its centre of mass sits at the centre. Pure: no DOM.
 */
export interface Raster {
  width: number;
  height: number;
  /** Ink in [0, 1], row-major. */
  data: Float32Array;
}

const INK_THRESHOLD = 0.05;
export const FIELD = 28;
export const BOX = 20;

export function preprocessDigit(raster: Raster): Float32Array {
  const out = new Float32Array(FIELD * FIELD);
  const box = inkBounds(raster);
  if (box === null) return out;
  const { x0, y0, w, h } = box;
  const scale = BOX / Math.max(w, h);
  const outW = Math.max(1, Math.round(w * scale));
  const outH = Math.max(1, Math.round(h * scale));
  // Separable area averaging: rows first, then columns.
  const rows = new Float32Array(h * outW);
  for (let y = 0; y < h; y++) {
    const src = raster.data.subarray((y0 + y) * raster.width + x0, (y0 + y) * raster.width + x0 + w);
    rows.set(resample(src, outW), y * outW);
  }
  const small = new Float32Array(outH * outW);
  const column = new Float32Array(h);
  for (let x = 0; x < outW; x++) {
    for (let y = 0; y < h; y++) column[y] = rows[y * outW + x];
    resample(column, outH).forEach((v, y) => (small[y * outW + x] = v));
  }
  const [cx, cy] = centreOfMass(small, outW, outH);
  const left = clamp(Math.round(FIELD / 2 - cx), 0, FIELD - outW);
  const top = clamp(Math.round(FIELD / 2 - cy), 0, FIELD - outH);
  for (let y = 0; y < outH; y++) for (let x = 0; x < outW; x++) out[(top + y) * FIELD + left + x] = Math.min(1, small[y * outW + x]);
  return out;
}

/** The smallest rectangle holding every pixel with ink above the threshold, or null for a blank raster. */
export function inkBounds(r: Raster): { x0: number; y0: number; w: number; h: number } | null {
  let x0 = r.width, y0 = r.height, x1 = -1, y1 = -1;
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      if (r.data[y * r.width + x] > INK_THRESHOLD) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** Resamples n values to m by exact box-filter area coverage (each output averages the span it covers). */
export function resample(src: ArrayLike<number>, m: number): Float32Array {
  const n = src.length;
  const out = new Float32Array(m);
  const span = n / m;
  for (let j = 0; j < m; j++) {
    const a = j * span;
    const b = a + span;
    let sum = 0;
    for (let i = Math.floor(a); i < Math.min(n, Math.ceil(b)); i++) sum += src[i] * (Math.min(b, i + 1) - Math.max(a, i));
    out[j] = sum / span;
  }
  return out;
}

/** Centre of mass in pixel-centre coordinates (pixel i spans [i, i+1), so its centre is i + 0.5). */
export function centreOfMass(img: ArrayLike<number>, w: number, h: number): [number, number] {
  let m = 0, sx = 0, sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img[y * w + x];
      m += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  return m > 0 ? [sx / m, sy / m] : [w / 2, h / 2];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
