import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataLossError, InvalidArgumentError, ResourceExhaustedError } from '../errors';
import { sortClassNames, stratifiedSplit } from './class-split';
import { squareOnBlack, writeJpeg, writePng } from './image-fixtures';
import { scanImageFolder } from './image-folder';
import { detectDataKind, loadDataDir } from './load-data-dir';
import { get_mnist } from './mnist';
import { makeTempDir } from './test-fixtures';

let temp: { dir: string; remove: () => void };
beforeEach(() => (temp = makeTempDir('tinyflow-images-')));
afterEach(() => temp.remove());

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** Ten 28×28 white-on-black squares per class in `dir/<label>/`. */
function writeClasses(dir: string, labels: string[], perClass = 10): void {
  for (const label of labels) {
    for (let i = 0; i < perClass; i++) writePng(join(dir, label, `${i}.png`), 28, 28, squareOnBlack(28, 28));
  }
}

const row = (pixels: Float32Array, i: number) => Array.from(pixels.subarray(i * 784, (i + 1) * 784));

describe('class names and the held-out split', () => {
  it('sorts class names numeric-aware ("2" < "10")', () => {
    expect(sortClassNames(['10', '2', 'b', '1', 'a10', 'a9'])).toEqual(['1', '2', '10', 'a9', 'a10', 'b']);
  });

  it('holds out a seeded tenth of each class, the same for the same seed', () => {
    const byClass = [Array.from({ length: 20 }, (_, i) => i), Array.from({ length: 30 }, (_, i) => 20 + i)];
    const a = stratifiedSplit(byClass, 7);
    expect(a.test.filter((i) => i < 20)).toHaveLength(2);
    expect(a.test.filter((i) => i >= 20)).toHaveLength(3);
    expect(a.train).toHaveLength(45);
    expect(stratifiedSplit(byClass, 7)).toEqual(a);
    expect(stratifiedSplit(byClass, 8).test).not.toEqual(a.test);
  });
});

describe('image folders: DIR/<label>/*', () => {
  it('loads class folders: names sorted numeric-aware, a stratified tenth held out, pixels in [0, 1]', () => {
    writeClasses(temp.dir, ['10', '2', '1'], 20);
    expect(detectDataKind(temp.dir).kind).toBe('image-folder');
    const data = loadDataDir(temp.dir, { seed: 3 });
    expect(data.kind).toBe('image-folder');
    expect(data.description).toContain('3 classes; a stratified tenth of each class held out for testing (seed 3)');
    expect(data.classNames).toEqual(['1', '2', '10']);
    expect(data.train.count).toBe(54);
    expect(data.test.count).toBe(6);
    expect([0, 1, 2].map((c) => Array.from(data.test.labels).filter((l) => l === c).length)).toEqual([2, 2, 2]);
    const square = row(data.train.pixels, 0);
    expect(square[14 * 28 + 14]).toBe(1);
    expect(square[0]).toBe(0);
    expect(square.filter((v) => v === 1)).toHaveLength(9 * 9);
  });

  it('reads RGB, RGBA, gray and JPEG files of mixed sizes, resized to 28×28, and inverts light backgrounds', () => {
    const c = join(temp.dir, 'a');
    writePng(join(c, 'rgb.png'), 28, 28, squareOnBlack(28, 28), 2);
    writePng(join(c, 'gray.png'), 28, 28, squareOnBlack(28, 28), 0);
    writePng(join(c, 'graya.png'), 28, 28, squareOnBlack(28, 28), 4);
    // 56×56 downscaled by area averaging: each target pixel is the mean of a 2×2 block.
    writePng(join(c, 'big.png'), 56, 56, squareOnBlack(56, 56));
    // 14×14 upscaled bilinearly.
    writePng(join(c, 'small.png'), 14, 14, squareOnBlack(14, 14));
    // Dark ink on a light background: inverted to white on black.
    writePng(join(c, 'light.png'), 28, 28, (x, y) => {
      const [v] = squareOnBlack(28, 28)(x, y);
      return [255 - v, 255 - v, 255 - v, 255];
    });
    // Black ink on a transparent sheet: composited onto white (the ink is dark), then inverted.
    writePng(join(c, 'transparent.png'), 28, 28, (x, y) => (squareOnBlack(28, 28)(x, y)[0] === 255 ? [0, 0, 0, 255] : [0, 0, 0, 0]));
    writeJpeg(join(c, 'photo.JPG'), 28, 28, squareOnBlack(28, 28));
    writeClasses(temp.dir, ['b'], 1);
    writeFileSync(join(c, 'notes.txt'), 'not an image');

    const data = loadDataDir(temp.dir, { seed: 0 });
    // 8 images in 'a' (held out: 1), 1 in 'b' (held out: none, one must train).
    expect([data.train.count, data.test.count]).toEqual([8, 1]);
    expect(data.notes).toContain('2 images with a light background inverted to white on black');
    expect(data.notes).toContain('2 images resized to 28×28');
    expect(data.notes).toContain('1 non-image entry skipped');
    const rows = [...Array.from({ length: data.train.count }, (_, i) => row(data.train.pixels, i)), row(data.test.pixels, 0)];
    const exact = row(data.train.pixels, data.train.count - 1); // class 'b' (sorted last): the plain square
    for (const r of rows) {
      // JPEG is lossy and resizing blurs the square's edge; every one is the same white square on black.
      const diff = r.reduce((s, v, i) => s + Math.abs(v - exact[i]), 0) / 784;
      expect(diff).toBeLessThan(0.04);
      expect(r[14 * 28 + 14]).toBeGreaterThan(0.9);
      expect(r[0]).toBeLessThan(0.1);
    }
  });

  it('honours the model size: 16×16', () => {
    writeClasses(temp.dir, ['x', 'y'], 2);
    const data = loadDataDir(temp.dir, { imageShape: [16, 16] });
    expect([data.train.height, data.train.width, data.train.pixels.length]).toEqual([16, 16, data.train.count * 256]);
  });

  it('get_mnist reads an image folder: one-hot as wide as the class count, class names kept', () => {
    writeClasses(temp.dir, ['cat', 'dog', 'emu'], 10);
    const data = get_mnist({ data_dir: temp.dir, onehot: true, flatten: true });
    expect(data.class_names).toEqual(['cat', 'dog', 'emu']);
    expect(data.source.kind).toBe('image-folder');
    expect(data.train.labels.shape).toEqual([27, 3]);
    expect(data.train.images.shape).toEqual([27, 784]);
    expect(data.test.num_examples).toBe(3);
  });
});

describe('image folders: DIR/train/<label> and DIR/test/<label>', () => {
  it('uses the given split; a test class missing is fine', () => {
    writeClasses(join(temp.dir, 'train'), ['0', '1', '2'], 3);
    writeClasses(join(temp.dir, 'test'), ['0', '2'], 2);
    const data = loadDataDir(temp.dir);
    expect(data.kind).toBe('image-folder-split');
    expect(data.classNames).toEqual(['0', '1', '2']);
    expect([data.train.count, data.test.count]).toEqual([9, 4]);
    expect(Array.from(data.test.labels)).toEqual([0, 0, 2, 2]);
  });

  it('refuses a test class the training split does not have, naming the folder', () => {
    writeClasses(join(temp.dir, 'train'), ['0', '1'], 1);
    writeClasses(join(temp.dir, 'test'), ['7'], 1);
    const error = errorOf(() => loadDataDir(temp.dir));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe(`${join(temp.dir, 'test', '7')}: class '7' is not among the training classes (0, 1)`);
  });
});

describe('image folder errors name the file', () => {
  it('a corrupt PNG', () => {
    writeClasses(temp.dir, ['3', '4'], 1);
    writeFileSync(join(temp.dir, '3', 'x.png'), 'GIF89a, not a png');
    const error = errorOf(() => loadDataDir(temp.dir));
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toBe(`${join(temp.dir, '3', 'x.png')}: not a PNG (bad signature)`);
  });

  it('a truncated PNG and a corrupt JPEG', () => {
    writeClasses(temp.dir, ['3', '4'], 1);
    writePng(join(temp.dir, '3', 'y.png'), 28, 28, squareOnBlack(28, 28));
    const bytes = readFileSync(join(temp.dir, '3', 'y.png'));
    writeFileSync(join(temp.dir, '3', 'y.png'), bytes.subarray(0, 40));
    expect(errorOf(() => loadDataDir(temp.dir)).message).toMatch(new RegExp(`^${escape(join(temp.dir, '3', 'y.png'))}: not a readable PNG \\(`));
    writeFileSync(join(temp.dir, '3', 'y.png'), bytes);
    writeFileSync(join(temp.dir, '4', 'z.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2]));
    expect(errorOf(() => loadDataDir(temp.dir)).message).toBe(`${join(temp.dir, '4', 'z.jpg')}: not a JPEG (no frame header in its 8 bytes)`);
  });

  it('an empty class folder', () => {
    writeClasses(temp.dir, ['1', '2'], 1);
    mkdirSync(join(temp.dir, '7'));
    writeFileSync(join(temp.dir, '7', 'readme.txt'), 'x');
    const error = errorOf(() => loadDataDir(temp.dir));
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toBe(`${join(temp.dir, '7')} has no images (.png, .jpg or .jpeg)`);
  });

  it('a folder with one class', () => {
    writeClasses(temp.dir, ['only'], 2);
    expect(errorOf(() => loadDataDir(temp.dir)).message).toBe(`${temp.dir} has one class folder ('only'); a classifier needs at least two`);
  });

  it('a symlink out of the folder is refused; one inside is followed', () => {
    writeClasses(temp.dir, ['a', 'b'], 1);
    const outside = makeTempDir('tinyflow-outside-');
    try {
      writePng(join(outside.dir, 'secret.png'), 28, 28, squareOnBlack(28, 28));
      symlinkSync(join(temp.dir, 'a', '0.png'), join(temp.dir, 'b', 'inside.png'));
      expect(loadDataDir(temp.dir).train.count).toBe(3);
      symlinkSync(join(outside.dir, 'secret.png'), join(temp.dir, 'b', 'out.png'));
      const error = errorOf(() => loadDataDir(temp.dir));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toContain(`${join(temp.dir, 'b', 'out.png')} is a symlink to '`);
      expect(error.message).toContain('outside the data folder');
    } finally {
      outside.remove();
    }
  });

  it('an image larger than 4096×4096 is refused from its header, before decoding', () => {
    writeClasses(temp.dir, ['a', 'b'], 1);
    // A valid signature and IHDR claiming 5000×10, nothing else: never decoded.
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(5000, 16);
    header.writeUInt32BE(10, 20);
    writeFileSync(join(temp.dir, 'a', 'huge.png'), header);
    const error = errorOf(() => loadDataDir(temp.dir));
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect(error.message).toBe(`${join(temp.dir, 'a', 'huge.png')}: the image is 5000×10, larger than the 4096×4096 images are decoded up to`);
  });

  it('a JPEG larger than 4096×4096 is refused from its frame header; a corrupt body names the file', () => {
    writeClasses(temp.dir, ['a', 'b'], 1);
    // SOI, an APP0 segment to skip, then SOF0 declaring 8000×300 (height 300, width 8000), nothing else.
    const jpegHeader = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x1f, 0x40, 0x01]);
    writeFileSync(join(temp.dir, 'b', 'wide.jpeg'), jpegHeader);
    const error = errorOf(() => loadDataDir(temp.dir));
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect(error.message).toBe(`${join(temp.dir, 'b', 'wide.jpeg')}: the image is 8000×300, larger than the 4096×4096 images are decoded up to`);
    // A plausible size but no image data after the header.
    jpegHeader.writeUInt16BE(28, 13);
    jpegHeader.writeUInt16BE(28, 15);
    writeFileSync(join(temp.dir, 'b', 'wide.jpeg'), jpegHeader);
    expect(errorOf(() => loadDataDir(temp.dir)).message).toMatch(new RegExp(`^${escape(join(temp.dir, 'b', 'wide.jpeg'))}: not a readable JPEG \\(`));
  });

  it('more images than the limit are refused while listing, before any is decoded', () => {
    writeClasses(temp.dir, ['a', 'b'], 3);
    writeFileSync(join(temp.dir, 'b', 'zz-corrupt.png'), 'never read');
    const error = errorOf(() => scanImageFolder(temp.dir, { root: temp.dir, maxImages: 5 }));
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect(error.message).toContain(`${temp.dir} holds more than 5 images`);
  });

  it('a folder holding no data set says what it looked for', () => {
    writeFileSync(join(temp.dir, 'x.txt'), '');
    expect(errorOf(() => loadDataDir(temp.dir)).message).toContain(`${temp.dir} holds no data set: no IDX files`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
