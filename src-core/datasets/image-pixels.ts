/**
 * Pixel work for image-folder data sets, pure (no Node imports, so the core stays bundleable): RGBA to
 * grayscale, the MNIST polarity (white ink on black), and resizing to the model's input size.
 */

/** A decoded image: `rgba` holds 4 bytes per pixel, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** A grayscale image, float32 in [0, 1], row-major. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Float32Array;
}

/**
 * Grayscale by the Rec. 601 luma weights (what PIL's convert('L') and most MNIST-style converters use).
 *
 * Alpha is composited onto the colour the ink is not: when the visible pixels are dark on average
 * (a black pen on a transparent sheet, the usual export of drawing apps) onto white, else onto black.
 * Always-black would erase dark ink on transparency, always-white light ink; after this the light-background
 * check of `toMnistPolarity` turns either into MNIST's white-on-black.
 */
export function toGray(image: RgbaImage): GrayImage {
  const { width, height, rgba } = image;
  const n = width * height;
  const luma = new Float32Array(n);
  let alphaSum = 0;
  let inkSum = 0;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const y = (0.299 * rgba[o] + 0.587 * rgba[o + 1] + 0.114 * rgba[o + 2]) / 255;
    const a = rgba[o + 3] / 255;
    luma[i] = y;
    alphaSum += a;
    inkSum += a * y;
  }
  if (alphaSum === n) return { width, height, pixels: luma }; // fully opaque: nothing to composite
  const background = alphaSum > 0 && inkSum / alphaSum < 0.5 ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3] / 255;
    luma[i] = a * luma[i] + (1 - a) * background;
  }
  return { width, height, pixels: luma };
}

/**
 * MNIST digits are white on black. An image whose border (its outermost ring of pixels) is light on
 * average, mean above 0.5, is taken as dark ink on a light background and inverted in place.
 * Returns whether it was inverted.
 */
export function toMnistPolarity(image: GrayImage): boolean {
  if (borderMean(image) <= 0.5) return false;
  const p = image.pixels;
  for (let i = 0; i < p.length; i++) p[i] = 1 - p[i];
  return true;
}

export function borderMean({ width, height, pixels }: GrayImage): number {
  let sum = 0;
  let count = 0;
  for (let x = 0; x < width; x++) {
    sum += pixels[x];
    count++;
    if (height > 1) {
      sum += pixels[(height - 1) * width + x];
      count++;
    }
  }
  for (let y = 1; y < height - 1; y++) {
    sum += pixels[y * width];
    count++;
    if (width > 1) {
      sum += pixels[y * width + width - 1];
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}

/**
 * Resizes to `height` × `width`, each axis on its own: area averaging where it shrinks (every source
 * pixel counts by the fraction of it a target pixel covers, so thin strokes are not skipped) and bilinear
 * interpolation with pixel centres aligned where it grows. The result is written into `out` (a row of
 * a data set's pixel block) when given.
 */
export function resizeGray(image: GrayImage, height: number, width: number, out = new Float32Array(height * width)): Float32Array {
  if (image.width === width && image.height === height) {
    out.set(image.pixels);
    return out;
  }
  const xs = axisWeights(image.width, width);
  const ys = axisWeights(image.height, height);
  // Rows first, into a [image.height, width] buffer, then columns.
  const rows = new Float32Array(image.height * width);
  for (let y = 0; y < image.height; y++) {
    const src = y * image.width;
    for (let x = 0; x < width; x++) {
      const w = xs[x];
      let v = 0;
      for (let k = 0; k < w.weights.length; k++) v += w.weights[k] * image.pixels[src + w.first + k];
      rows[y * width + x] = v;
    }
  }
  for (let y = 0; y < height; y++) {
    const w = ys[y];
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let k = 0; k < w.weights.length; k++) v += w.weights[k] * rows[(w.first + k) * width + x];
      out[y * width + x] = Math.min(1, Math.max(0, v));
    }
  }
  return out;
}

interface Tap {
  /** First source index read. */
  first: number;
  /** Weights of source indices first, first + 1, …; they sum to 1. */
  weights: number[];
}

function axisWeights(from: number, to: number): Tap[] {
  const taps: Tap[] = [];
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    if (from > to) {
      // Area: target pixel i covers source interval [i·scale, (i+1)·scale).
      const start = i * scale;
      const end = start + scale;
      const first = Math.floor(start);
      const weights: number[] = [];
      for (let s = first; s < end && s < from; s++) weights.push((Math.min(end, s + 1) - Math.max(start, s)) / scale);
      taps.push({ first, weights });
    } else {
      const x = Math.min(from - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const first = Math.min(from - 1, Math.floor(x));
      const t = x - first;
      taps.push(first + 1 < from ? { first, weights: [1 - t, t] } : { first, weights: [1] });
    }
  }
  return taps;
}
