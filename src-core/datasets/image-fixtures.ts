/** Test helpers: writes real PNG and JPEG files with pngjs / jpeg-js (the decoders' own encoders). For tests only. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export type PixelFn = (x: number, y: number) => [number, number, number, number];

export function rgbaOf(width: number, height: number, pixel: PixelFn): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4);
  }
  return data;
}

/** `colorType`: 0 gray, 2 RGB, 4 gray + alpha, 6 RGBA (pngjs converts from the RGBA pixels given). */
export function writePng(path: string, width: number, height: number, pixel: PixelFn, colorType: 0 | 2 | 4 | 6 = 6): void {
  mkdirSync(dirname(path), { recursive: true });
  const png = new PNG({ width, height, colorType, inputColorType: 6, inputHasAlpha: true });
  png.data = rgbaOf(width, height, pixel);
  writeFileSync(path, PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true }));
}

export function writeJpeg(path: string, width: number, height: number, pixel: PixelFn, quality = 95): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, jpeg.encode({ width, height, data: rgbaOf(width, height, pixel) }, quality).data);
}

/** White ink (a filled square over the middle third, shifted by `shift`) on black: an MNIST-like image. */
export const squareOnBlack =
  (width: number, height: number, shift = 0): PixelFn =>
  (x, y) => {
    const inside = x >= width / 3 + shift && x < (2 * width) / 3 + shift && y >= height / 3 && y < (2 * height) / 3;
    return inside ? [255, 255, 255, 255] : [0, 0, 0, 255];
  };
