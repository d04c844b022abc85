#!/usr/bin/env node
/**
 * Builds backends/wasm/kernels.wasm (SIMD128) and kernels-relaxed.wasm (SIMD128 + relaxed SIMD's
 * fused multiply-add) from the C sources in csrc/ with clang + wasm-ld (Debian packages `clang` and
 * `lld`), and records what each was built from in kernels.build.json / kernels-relaxed.build.json.
 *
 *   node backends/wasm/build.mjs            build; without a toolchain, accept the committed
 *                                           kernels.wasm if it was built from these sources (npm's
 *                                           `prepare` runs this, so `npm ci` works without clang)
 *   node backends/wasm/build.mjs --require  build, failing when clang or wasm-ld is missing
 *   node backends/wasm/build.mjs --check    build in memory and fail unless both results are
 *                                           byte-identical to the committed artifacts
 *   node backends/wasm/build.mjs --status   print whether each artifact was built from the current
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
import v8 from 'node:v8';

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = join(here, 'csrc');
/** The op lists the C enums are generated from (see generatedHeader). */
const opListPath = join(here, '..', 'primitive-ops.ts');
import { relaxMaddOpcodes, REWRITE_VERSION } from './relaxed-opcodes.mjs';

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

/**
 * The two artifacts: the same sources, the relaxed one compiled with TINYFLOW_RELAXED_SIMD so the
 * kernels' MADD (kernels.h) is a fused multiply-add. Debian's clang 14 only knows relaxed SIMD's
 * prototype encoding (f32x4.fma, 0xfd 0xaf 0x01); relaxed-opcodes.mjs rewrites it to the shipped
 * f32x4.relaxed_madd (0xfd 0x85 0x02), which engines accept.
 */
export const ARTIFACTS = [
  { name: 'kernels.wasm', manifest: 'kernels.build.json', flags: [], relaxed: false },
  { name: 'kernels-relaxed.wasm', manifest: 'kernels-relaxed.build.json', flags: ['-mrelaxed-simd', '-DTINYFLOW_RELAXED_SIMD=1'], relaxed: true },
];

/**
 * The C enums of the primitives' op codes, written from the `as const` lists of primitive-ops.ts so
 * the kernels and the TypeScript op types cannot drift: an op's value is its index in its list (what
 * kernels/codes.ts sends), and a `switch` over the enum type that misses an op fails the build
 * (-Wswitch under -Werror). Read as text because this script runs without a TypeScript loader.
 */
const GENERATED_ENUMS = [
  { list: 'UNARY_OPS', prefix: 'U_', type: 'unary_op', count: 'UNARY_OP_COUNT' },
  { list: 'BINARY_OPS', prefix: 'B_', type: 'binary_op', count: 'BINARY_OP_COUNT' },
  { list: 'REDUCE_OPS', prefix: 'R_', type: 'reduce_op', count: 'REDUCE_OP_COUNT' },
];
export const GENERATED_HEADER = 'ops.gen.h';

/** The string literals of `export const <name> = [...] as const;` in primitive-ops.ts. */
export function opList(name, text = readFileSync(opListPath, 'utf8')) {
  const match = new RegExp(`export const ${name} = \\[([^\\]]*)\\] as const;`).exec(text);
  if (match === null) throw new Error(`wasm build: ${opListPath} has no \`export const ${name} = [...] as const;\``);
  const body = match[1].replace(/\/\/[^\n]*/g, '');
  const ops = [...body.matchAll(/'([A-Za-z][A-Za-z0-9]*)'/g)].map((m) => m[1]);
  const rest = body.replace(/'[A-Za-z][A-Za-z0-9]*'/g, '').replace(/[\s,]/g, '');
  if (rest !== '' || ops.length === 0) throw new Error(`wasm build: ${name} in ${opListPath} is not a plain list of op names`);
  return ops;
}

/** camelCase op name -> the C enumerator: logicalNot -> U_LOGICAL_NOT. */
const enumerator = (prefix, op) => prefix + op.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

export function generatedHeader(text = readFileSync(opListPath, 'utf8')) {
  const lines = [
    '/* Generated by backends/wasm/build.mjs from backends/primitive-ops.ts: do not edit. */',
    '#ifndef TINYFLOW_OPS_GEN_H',
    '#define TINYFLOW_OPS_GEN_H',
  ];
  for (const { list, prefix, type, count } of GENERATED_ENUMS) {
    const ops = opList(list, text);
    lines.push('', `typedef enum { ${ops.map((op, i) => `${enumerator(prefix, op)} = ${i}`).join(', ')} } ${type};`);
    lines.push(`#define ${count} ${ops.length}u`);
  }
  lines.push('', '#endif', '');
  return lines.join('\n');
}

function sources() {
  return readdirSync(sourceDir)
    .filter((name) => name.endsWith('.c') || name.endsWith('.h'))
    .sort();
}

/** Hash of an artifact's flags and every source file: what its manifest records and the tests check. */
export function sourceHash(artifact = ARTIFACTS[0]) {
  const hash = createHash('sha256');
  hash.update([...COMPILE_FLAGS, ...artifact.flags, '|', ...LINK_FLAGS].join(' '));
  if (artifact.relaxed) hash.update(`\0rewrite ${REWRITE_VERSION}`);
  for (const name of sources()) {
    hash.update(`\0${name}\0`);
    hash.update(readFileSync(join(sourceDir, name)));
  }
  hash.update(`\0${GENERATED_HEADER}\0`);
  hash.update(generatedHeader());
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

function compile({ clang, linker }, artifact) {
  const out = mkdtempSync(join(tmpdir(), 'tinyflow-wasm-'));
  try {
    const objects = [];
    // Generated into the scratch directory, never into csrc/: there is no copy to fall out of date.
    writeFileSync(join(out, GENERATED_HEADER), generatedHeader());
    for (const name of sources().filter((file) => file.endsWith('.c'))) {
      const object = join(out, name.replace(/\.c$/, '.o'));
      execFileSync(clang.command, [...COMPILE_FLAGS, ...artifact.flags, '-I', out, '-c', join(sourceDir, name), '-o', object], { stdio: ['ignore', 'inherit', 'inherit'] });
      objects.push(object);
    }
    const target = join(out, 'kernels.wasm');
    execFileSync(linker.command, [...LINK_FLAGS, ...objects, '-o', target], { stdio: ['ignore', 'inherit', 'inherit'] });
    const linked = readFileSync(target);
    if (!artifact.relaxed) return linked;
    const relaxed = relaxMaddOpcodes(linked);
    // Node 20 validates relaxed SIMD only behind this flag (V8 flags are per process; harmless later).
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (!WebAssembly.validate(relaxed)) throw new Error(`wasm build: ${artifact.name} does not validate after the relaxed-SIMD rewrite`);
    return relaxed;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function readManifest(artifact) {
  try {
    return JSON.parse(readFileSync(join(here, artifact.manifest), 'utf8'));
  } catch {
    return null;
  }
}

/** Whether an artifact and its manifest record a build of exactly the current sources and flags. */
function isFresh(artifact, hash = sourceHash(artifact)) {
  const manifest = readManifest(artifact);
  const wasmPath = join(here, artifact.name);
  return existsSync(wasmPath) && manifest !== null && manifest.sourceSha256 === hash &&
    manifest.wasmSha256 === sha256(readFileSync(wasmPath));
}

function main() {
  const args = new Set(process.argv.slice(2));
  const check = args.has('--check');
  const require = check || args.has('--require');
  if (args.has('--status')) {
    const status = ARTIFACTS.map((artifact) => {
      const hash = sourceHash(artifact);
      return { artifact: artifact.name, fresh: isFresh(artifact, hash), sourceSha256: hash, manifest: readManifest(artifact) };
    });
    console.log(JSON.stringify({ fresh: status.every((s) => s.fresh), artifacts: status }));
    return;
  }
  const toolchain = findToolchain();

  if (toolchain.missing !== undefined) {
    const missing = toolchain.missing;
    const stale = ARTIFACTS.filter((artifact) => !isFresh(artifact)).map((artifact) => artifact.name);
    if (require || stale.length > 0) {
      console.error(
        `wasm build: ${missing} not found (apt-get install -y clang lld)` +
          (stale.length === 0 ? '' : `, and the committed ${stale.join(' and ')} ${stale.length === 1 ? 'was' : 'were'} not built from the current csrc/ sources`),
      );
      process.exit(1);
    }
    console.log(`wasm build: ${missing} not found; using the committed ${ARTIFACTS.map((a) => a.name).join(' and ')}, built from these sources`);
    return;
  }

  let failed = false;
  for (const artifact of ARTIFACTS) {
    const wasmPath = join(here, artifact.name);
    const started = performance.now();
    const bytes = compile(toolchain, artifact);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const previous = existsSync(wasmPath) ? readFileSync(wasmPath) : null;
    const identical = previous !== null && previous.equals(bytes);
    if (check) {
      if (identical) console.log(`wasm build --check: ${artifact.name} reproduced byte for byte (${bytes.length} bytes, ${seconds} s)`);
      else {
        console.error(`wasm build --check: rebuilding with ${toolchain.clang.version} does not reproduce the committed ${artifact.name}`);
        failed = true;
      }
      continue;
    }
    if (!identical) writeFileSync(wasmPath, bytes);
    const manifest = { sourceSha256: sourceHash(artifact), wasmSha256: sha256(bytes), compiler: toolchain.clang.version, bytes: bytes.length };
    writeFileSync(join(here, artifact.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(
      `wasm build: ${artifact.name} ${identical ? 'reproduced byte for byte' : 'written'} (${bytes.length} bytes, ${seconds} s, ${toolchain.clang.version})`,
    );
  }
  if (failed) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
