/** The graph canvas's pan and zoom: screen = world × k + (tx, ty). */
export interface Viewport {
  k: number;
  tx: number;
  ty: number;
}

export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 4;

const clampZoom = (k: number): number => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));

/** Zoom by `factor` keeping the world point under screen point (sx, sy) where it is. */
export function zoomAt(v: Viewport, factor: number, sx: number, sy: number): Viewport {
  const k = clampZoom(v.k * factor);
  const wx = (sx - v.tx) / v.k;
  const wy = (sy - v.ty) / v.k;
  return { k, tx: sx - wx * k, ty: sy - wy * k };
}

/** The whole drawing centred in a view of `w`×`h` pixels, never magnified past 1.2×. */
export function fitView(width: number, height: number, w: number, h: number, margin = 16): Viewport {
  if (width <= 0 || height <= 0 || w <= 0 || h <= 0) return { k: 1, tx: 0, ty: 0 };
  const k = clampZoom(Math.min((w - 2 * margin) / width, (h - 2 * margin) / height, 1.2));
  return { k, tx: (w - width * k) / 2, ty: (h - height * k) / 2 };
}

/** World point (x, y) moved to screen point (sx, sy) at the current zoom. */
export function placeAt(v: Viewport, x: number, y: number, sx: number, sy: number): Viewport {
  return { k: v.k, tx: sx - x * v.k, ty: sy - y * v.k };
}

export function toScreen(v: Viewport, x: number, y: number): { x: number; y: number } {
  return { x: x * v.k + v.tx, y: y * v.k + v.ty };
}

/**
 * The first view of a graph: fitted when that stays readable, else at `minReadable` zoom showing its
 * top (where the inputs are), centred across on `focusX` (the inputs' middle) when it is wider than the view.
 */
export function overview(width: number, height: number, w: number, h: number, focusX = width / 2, minReadable = 0.7, margin = 16): Viewport {
  const fit = fitView(width, height, w, h, margin);
  if (fit.k >= minReadable) return fit;
  const k = minReadable;
  if (width * k <= w) return { k, tx: (w - width * k) / 2, ty: margin };
  // Centred on the focus, but never past either side of the drawing.
  const tx = Math.min(margin, Math.max(w - margin - width * k, w / 2 - focusX * k));
  return { k, tx, ty: margin };
}
