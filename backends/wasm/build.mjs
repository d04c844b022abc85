#!/usr/bin/env node
/**
 * Builds backends/wasm/kernels.wasm from the C sources in csrc/ with clang + wasm-ld (Debian
 * packages `clang` and `lld`), and records what it was built from in kernels.build.json.
 *
 *   node backends/wasm/build.mjs            build; without a toolchain, accept the committed
 *                                           kernels.wasm if it was built from these sources (npm's
 *                                           `prepare` runs this, so `npm ci` works without clang)
 *   node backends/wasm/build.mjs --require  build, failing when clang or wasm-ld is missing
 *   node backends/wasm/build.mjs --check    build in memory and fail unless the result is
 *                                           byte-identical to the committed kernels.wasm
 *   node backends/wasm/build.mjs --status   print whether kernels.wasm was built from the current
 *                                           sources (JSON; needs no toolchain)
 *
 * The .wasm is committed so the app loads without a C toolchain; CI rebuilds it to prove that the
 * sources reproduce it. Set CLANG / WASM_LD to use specific binaries.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(here, 'csrc');
const wasmPath = join(here, 'kernels.wasm');
const manifestPath = join(here, 'kernels.build.json');

/**
 * WebAssembly features used: SIMD and threads (atomics, for a shared memory that worker instances
 * run matmul row ranges over), plus post-MVP features every SIMD-capable engine has.
 */
const COMPILE_FLAGS = [
  '--target=wasm32',
  '-O3',
  '-msimd128',
  '-matomics',
  '-mbulk-memory',
  '-mmutable-globals',
  '-mnontrapping-fptoint',
  '-msign-ext',
  '-ffreestanding',
  '-Wall',
  '-Wextra',
  '-Werror',
];

/**
 * wasm-ld is run directly, not through the clang driver: the driver also runs binaryen's wasm-opt
 * whenever one is on PATH (npm puts node_modules/.bin, which has one, first), which would make the
 * output depend on the environment. Measured: wasm-opt does not make these kernels faster.
 */
/**
 * The memory is imported and shared (max 4 GiB less a page, what the JS heap allows), so every
 * thread's instance runs over the one memory; each instance has its own __stack_pointer, which a
 * worker points at a stack of its own (exported for that). loader.ts turns the shared flag off
 * where the host cannot create a shared memory (a browser without cross-origin isolation).
 */
const LINK_FLAGS = [
  '-m', 'wasm32', '--no-entry', '--export=__heap_base', '--export=__stack_pointer', '--stack-first', '-z', 'stack-size=65536',
  '--import-memory', '--shared-memory', '--max-memory=4294901760', '--strip-debug',
];

function sources() {
  return readdirSync(sourceDir)
    .filter((name) => name.endsWith('.c') || name.endsWith('.h'))
    .sort();
}

/** Hash of the flags and every source file: what kernels.build.json records and the tests check. */
export function sourceHash() {
  const hash = createHash('sha256');
  hash.update([...COMPILE_FLAGS, '|', ...LINK_FLAGS].join(' '));
  for (const name of sources()) {
    hash.update(`\0${name}\0`);
    hash.update(readFileSync(join(sourceDir, name)));
  }
  return hash.digest('hex');
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The first command of `names` that answers --version, with its version line. */
function findTool(names) {
  for (const name of names) {
    const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return { command: name, version: probe.stdout.split('\n')[0].trim() };
  }
  return null;
}

function findToolchain() {
  const clang = findTool(process.env.CLANG ? [process.env.CLANG] : ['clang', 'clang-14', 'clang-15', 'clang-16']);
  const linker = findTool(process.env.WASM_LD ? [process.env.WASM_LD] : ['wasm-ld', 'wasm-ld-14', 'wasm-ld-15', 'wasm-ld-16']);
  if (clang === null) return { missing: 'clang' };
  if (linker === null) return { missing: 'wasm-ld' };
  return { clang, linker };
}

function compile({ clang, linker }) {
  const out = mkdtempSync(join(tmpdir(), 'tinyflow-wasm-'));
  try {
    const objects = [];
    for (const name of sources().filter((file) => file.endsWith('.c'))) {
      const object = join(out, name.replace(/\.c$/, '.o'));
      execFileSync(clang.command, [...COMPILE_FLAGS, '-c', join(sourceDir, name), '-o', object], { stdio: ['ignore', 'inherit', 'inherit'] });
      objects.push(object);
    }
    const target = join(out, 'kernels.wasm');
    execFileSync(linker.command, [...LINK_FLAGS, ...objects, '-o', target], { stdio: ['ignore', 'inherit', 'inherit'] });
    return readFileSync(target);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return null;
  }
}

/** Whether kernels.wasm and its manifest record a build of exactly the current sources and flags. */
function isFresh(hash) {
  const manifest = readManifest();
  return existsSync(wasmPath) && manifest !== null && manifest.sourceSha256 === hash &&
    manifest.wasmSha256 === sha256(readFileSync(wasmPath));
}

function main() {
  const args = new Set(process.argv.slice(2));
  const check = args.has('--check');
  const require = check || args.has('--require');
  const hash = sourceHash();
  if (args.has('--status')) {
    console.log(JSON.stringify({ fresh: isFresh(hash), sourceSha256: hash, manifest: readManifest() }));
    return;
  }
  const toolchain = findToolchain();

  if (toolchain.missing !== undefined) {
    const missing = toolchain.missing;
    const fresh = isFresh(hash);
    if (require || !fresh) {
      console.error(
        `wasm build: ${missing} not found (apt-get install -y clang lld)` +
          (fresh ? '' : ', and the committed kernels.wasm was not built from the current csrc/ sources'),
      );
      process.exit(1);
    }
    console.log(`wasm build: ${missing} not found; using the committed kernels.wasm, which was built from these sources`);
    return;
  }

  const started = performance.now();
  const bytes = compile(toolchain);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const previous = existsSync(wasmPath) ? readFileSync(wasmPath) : null;
  const identical = previous !== null && previous.equals(bytes);
  if (check) {
    if (!identical) {
      console.error(`wasm build --check: rebuilding with ${toolchain.clang.version} does not reproduce the committed kernels.wasm`);
      process.exit(1);
    }
    console.log(`wasm build --check: kernels.wasm reproduced byte for byte (${bytes.length} bytes, ${seconds} s)`);
    return;
  }
  if (!identical) writeFileSync(wasmPath, bytes);
  const manifest = { sourceSha256: hash, wasmSha256: sha256(bytes), compiler: toolchain.clang.version, bytes: bytes.length };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `wasm build: kernels.wasm ${identical ? 'reproduced byte for byte' : 'written'} (${bytes.length} bytes, ${seconds} s, ${toolchain.clang.version})`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
