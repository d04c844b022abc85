/**
 * Node-only (pngjs needs zlib): decodes a PNG or JPEG file's bytes to RGBA with the well-kept pure-JS
 * decoders pngjs and jpeg-js. The size in the file's header is checked before anything is decoded, so
 * a huge (or lying) image is refused without allocating its pixels.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataLossError, ResourceExhaustedError } from '../errors';
import type { RgbaImage } from './image-pixels';

/** The largest width or height decoded; larger images are refused naming the file. */
export const MAX_IMAGE_SIDE = 4096;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodeImage(bytes: Uint8Array, file: string, maxSide = MAX_IMAGE_SIDE): RgbaImage {
  const ext = file.toLowerCase().slice(file.lastIndexOf('.'));
  const { width, height } = ext === '.png' ? pngSize(bytes, file) : jpegSize(bytes, file);
  if (width === 0 || height === 0) throw new DataLossError(`${file}: the image is ${width}×${height}, empty`);
  if (width > maxSide || height > maxSide) {
    throw new ResourceExhaustedError(`${file}: the image is ${width}×${height}, larger than the ${maxSide}×${maxSide} images are decoded up to`);
  }
  try {
    if (ext === '.png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: (maxSide * maxSide) / 1e6 + 1, maxMemoryUsageInMB: 512 });
    return { width: decoded.width, height: decoded.height, rgba: decoded.data };
  } catch (error) {
    throw new DataLossError(`${file}: not a readable ${ext === '.png' ? 'PNG' : 'JPEG'} (${error instanceof Error ? error.message : String(error)})`);
  }
}

function pngSize(bytes: Uint8Array, file: string): { width: number; height: number } {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) throw new DataLossError(`${file}: not a PNG (bad signature)`);
  // The IHDR chunk always comes first: length (4), type (4), then width and height, big-endian.
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw new DataLossError(`${file}: not a PNG (no IHDR header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Walks the JPEG markers to the first start-of-frame, which holds the size. */
function jpegSize(bytes: Uint8Array, file: string): { width: number; height: number } {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new DataLossError(`${file}: not a JPEG (bad signature)`);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new DataLossError(`${file}: not a JPEG (corrupt marker at byte ${at})`);
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > bytes.length) break;
      return { height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8] };
    }
    at += 2 + length;
  }
  throw new DataLossError(`${file}: not a JPEG (no frame header in its ${bytes.length} bytes)`);
}
