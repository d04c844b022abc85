import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from './idx';
import { readIdxFile } from './read-idx-file';
import { makeTempDir } from './test-fixtures';
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
