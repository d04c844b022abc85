import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeSync, ftruncateSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from './idx';
import { readIdxFile } from './read-idx-file';
import { makeTempDir, measureCost } from './test-fixtures';
import { DataLossError, NotFoundError } from '../errors';

describe('readIdxFile', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.remove());

  const idx = encodeIdx([10, 4, 4], Uint8Array.from({ length: 160 }, (_, i) => i));
  const write = (name: string, bytes: Uint8Array | string): string => {
    const path = join(temp.dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const errorOf = (path: string): Error => {
    try {
      readIdxFile(path);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected readIdxFile to throw');
  };

  it('reads plain and gzipped files alike, detecting gzip by content, not name', () => {
    for (const path of [write('plain', idx), write('packed.gz', gzipSync(idx)), write('packed-no-ext', gzipSync(idx))]) {
      const { dims, data } = readIdxFile(path);
      expect(dims).toEqual([10, 4, 4]);
      expect(Array.from(data)).toEqual(Array.from(idx.subarray(16)));
    }
  });

  it('a truncated gzip file: DataLossError naming the file and the compressed size', () => {
    const gz = gzipSync(idx);
    const path = write('train-images-idx3-ubyte.gz', gz.subarray(0, gz.length - 20));
    const error = errorOf(path);
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toContain(`IDX file '${path}': gzip data (${gz.length - 20} compressed bytes) is corrupt or truncated`);
    expect(error.message).toMatch(/unexpected end of file/);
  });

  it('a corrupt gzip file (damaged deflate stream)', () => {
    const gz = new Uint8Array(gzipSync(idx));
    for (let i = 12; i < gz.length - 8; i++) gz[i] ^= 0x5a;
    const path = write('t10k-images-idx3-ubyte.gz', gz);
    const error = errorOf(path);
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toContain(`IDX file '${path}': gzip data (${gz.length} compressed bytes) is corrupt or truncated`);
  });

  it('gzip that decompresses to a truncated IDX reports the IDX sizes', () => {
    const path = write('labels.gz', gzipSync(idx.subarray(0, 100)));
    expect(errorOf(path).message).toBe(
      `IDX file '${path}': truncated data: expected 160 bytes of data for dims [10,4,4] (ubyte) but found 84`,
    );
  });

  it('a text file is not IDX', () => {
    const path = write('train-labels-idx1-ubyte', 'version https://git-lfs.github.com/spec/v1\n');
    const error = errorOf(path);
    expect(error).toBeInstanceOf(DataLossError);
    expect(error.message).toBe(`IDX file '${path}': not an IDX file: expected magic 00 00 <type> <rank> but found 76 65 72 73 ("vers")`);
  });

  it('an empty file is a truncated header', () => {
    const path = write('empty', new Uint8Array(0));
    expect(errorOf(path).message).toBe(`IDX file '${path}': truncated header: the file has 0 bytes but an IDX header needs at least 4`);
  });

  it('a missing file is NotFoundError; a directory is DataLossError', () => {
    const missing = join(temp.dir, 'nope');
    expect(errorOf(missing)).toBeInstanceOf(NotFoundError);
    expect(errorOf(missing).message).toContain(missing);
    expect(errorOf(temp.dir)).toBeInstanceOf(DataLossError);
    expect(errorOf(temp.dir).message).toMatch(/could not be read: .*EISDIR/);
  });
});

/** An IDX header alone: magic, ubyte, the dims. */
function idxHeader(dims: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x08;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  return bytes;
}

/**
 * Hostile files: each must fail fast, with a small memory peak, and an error that names the file.
 * Limits are generous for a loaded CI machine; the readers before this change took 25-36 s and ~2 GB.
 */
describe('readIdxFile checks sizes before it allocates', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.remove());

  const MB = 1024 * 1024;
  const expectCheapFailure = (path: string, message: RegExp | string): void => {
    let error: unknown;
    const cost = measureCost(() => {
      try {
        readIdxFile(path);
      } catch (e) {
        error = e;
        throw e;
      }
    });
    expect(error).toBeInstanceOf(DataLossError);
    expect((error as Error).message).toContain(`IDX file '${path}'`);
    if (typeof message === 'string') expect((error as Error).message).toContain(message);
    else expect((error as Error).message).toMatch(message);
    expect(cost.ms).toBeLessThan(1000);
    expect(cost.peakRssGrowth).toBeLessThan(100 * MB);
  };

  /** A sparse file: `truncate` to `size` bytes after writing `head`, so no disk space is used. */
  const sparse = (name: string, head: Uint8Array, size: number): string => {
    const path = join(temp.dir, name);
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, head);
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
    return path;
  };

  it('a 4 MB gzip bomb (4.2 GB of zeros) stops at the size its header declares', () => {
    // Concatenated gzip members inflate as one stream: a tiny header member, then 4,200 MiB of zeros.
    const zerosMiB = gzipSync(new Uint8Array(MB), { level: 9 });
    const bomb = (dims: number[]) => Buffer.concat([gzipSync(idxHeader(dims)), ...Array.from({ length: 4200 }, () => zerosMiB)]);
    // A header declaring 6,000 images (4.7 MB) is plausible for 4.4 MB of gzip: inflating stops at 4.7 MB.
    const path = join(temp.dir, 'train-images-idx3-ubyte.gz');
    writeFileSync(path, bomb([6000, 28, 28]));
    expect(statSync(path).size).toBeLessThan(5 * MB);
    expectCheapFailure(path, `gzip output exceeds the ${16 + 6000 * 28 * 28} bytes its IDX header declares`);
    // Declaring 10 images, the same bytes cannot be a gzip of them: refused from the file size, nothing inflated.
    writeFileSync(path, bomb([10, 28, 28]));
    expectCheapFailure(path, `more than the ${16 + 7840 + 8 + 65536} bytes the ${16 + 7840} bytes its IDX header declares can compress to`);
  });

  it('a gzip whose header declares more than the reader accepts fails on the header', () => {
    const path = join(temp.dir, 'huge.gz');
    writeFileSync(path, gzipSync(idxHeader([0xffffffff, 0xffffffff, 0xffffffff])));
    expectCheapFailure(path, /dims \[4294967295,4294967295,4294967295\] \(ubyte\) declare more than the \d+ bytes of data this reader accepts/);
  });

  it('a gzip file larger than what its header declares can compress to is refused before it is read', () => {
    // A header declaring 10 bytes, then 100 kB of incompressible noise: the gzip file is about 100 kB.
    let state = 0x9e3779b9;
    const noise = Uint8Array.from({ length: 100_000 }, () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 0xff;
    });
    const path = write('padded.gz', gzipSync(Buffer.concat([idxHeader([10]), noise])));
    expect(errorOf(path).message).toMatch(
      new RegExp(`^IDX file '${path}': the gzip file has \\d+ bytes, more than the 65555 bytes the 18 bytes its IDX header declares can compress to$`),
    );
    // A sparse 1.9 GB file that starts with a small gzipped header: refused without reading the rest.
    expectCheapFailure(sparse('sparse.gz', gzipSync(idxHeader([3, 28, 28])), 2_040_109_056), 'the gzip file has 2040109056 bytes, more than the');
  });

  it('a sparse 1.9 GB file of zeros fails on its 4-byte header, without reading the rest', () => {
    expectCheapFailure(sparse('train-labels-idx1-ubyte', new Uint8Array(0), 2_040_109_056), 'unknown IDX type code 0x00');
  });

  it('a sparse 1.9 GB file with a valid header: the declared size is checked against the file size first', () => {
    expectCheapFailure(
      sparse('t10k-images-idx3-ubyte', idxHeader([3, 28, 28]), 2_040_109_056),
      `trailing bytes: expected ${3 * 28 * 28} bytes of data for dims [3,28,28] (ubyte) but found ${2_040_109_056 - 16}`,
    );
  });

  it('a sparse file whose header declares exactly its 1.9 GB is refused by the size cap', () => {
    const size = 2_040_109_056;
    expectCheapFailure(sparse('exact', idxHeader([size - 8]), size), /declare more than the \d+ bytes of data this reader accepts/);
  });

  it('a header that declares more data than the file holds: truncated, reported before the data is read', () => {
    expectCheapFailure(sparse('short', idxHeader([60000, 28, 28]), 1000), `truncated data: expected ${60000 * 784} bytes of data for dims [60000,28,28] (ubyte) but found 984`);
  });

  it('gzip that inflates to something other than IDX names the file', () => {
    const path = write('notes.gz', gzipSync('hello, this is not IDX'));
    expect(errorOf(path).message).toBe(`IDX file '${path}': not an IDX file: expected magic 00 00 <type> <rank> but found 68 65 6c 6c ("hell")`);
  });

  it('still reads a large valid gzip file whole (the limits do not get in the way)', () => {
    const data = Uint8Array.from({ length: 2000 * 784 }, (_, i) => (i * 7) % 256);
    const path = write('ok.gz', gzipSync(encodeIdx([2000, 28, 28], data)));
    const { dims, data: read } = readIdxFile(path);
    expect(dims).toEqual([2000, 28, 28]);
    expect(Buffer.from(read.buffer, read.byteOffset, read.byteLength).equals(Buffer.from(data))).toBe(true);
  });

  const write = (name: string, bytes: Uint8Array | string): string => {
    const path = join(temp.dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const errorOf = (path: string): Error => {
    try {
      readIdxFile(path);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected readIdxFile to throw');
  };
});
