#!/usr/bin/env node
/**
 * `npm run build:lib`: the library build that `npm pack` ships. The sources import each other without
 * file extensions (moduleResolution Bundler), which Node's ESM loader refuses, so plain `tsc` output
 * would not run; instead esbuild bundles one ES module per public entry point, with code shared between
 * entries split into common chunks (so `tinyflow-studio` and `tinyflow-studio/datasets` share one
 * NDArray class and one backend registry), and `tsc --emitDeclarationOnly` writes the types.
 *
 * Every emitted file sits exactly two folders below the package root (dist/core/index.js,
 * dist/chunks/x.js, ...), as the sources do (src-core/datasets/x.ts), so the sources' own
 * `new URL('../../resources/mnist/', import.meta.url)` still finds the bundled digits; kernels.wasm and
 * kernels-relaxed.wasm are copied beside whichever file holds the wasm loader's `new URL('./kernels.wasm', import.meta.url)`.
 *
 * Usage: node scripts/build-lib.mjs [--out DIR]   (default DIR: dist)
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Output name (below the out folder, no extension) → source. package.json's `exports` name these. */
export const ENTRIES = {
  'core/index': 'src-core/index.ts',
  'core/datasets': 'src-core/datasets/index.ts',
  'core/np': 'src-core/np.ts',
  'backends/index': 'backends/index.ts',
  'backends/cpu': 'backends/cpu/index.ts',
  'backends/wasm': 'backends/wasm/index.ts',
  'backends/webgpu': 'backends/webgpu/index.ts',
  'cli/main': 'src-cli/main.ts',
};

/** Entries a browser bundle may import: nothing Node-only may be reachable from them by static imports. */
const BROWSER_ENTRIES = ['core/index', 'core/np', 'backends/index', 'backends/cpu', 'backends/wasm', 'backends/webgpu'];

class BuildError extends Error {}

function packageDependencies() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies });
}

/** Every output whose static import closure reaches a `node:` module, with the path that gets there. */
function nodeImportsReachable(metafile, outDir) {
  const outputs = metafile.outputs;
  const problems = [];
  for (const entry of BROWSER_ENTRIES) {
    const start = Object.keys(outputs).find((o) => resolve(o) === resolve(outDir, `${entry}.js`));
    const seen = new Set();
    const walk = (file, trail) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const imp of outputs[file].imports) {
        if (imp.kind !== 'import-statement') continue; // dynamic imports run only where they are reached
        if (imp.path.startsWith('node:')) problems.push(`${[...trail, file].join(' -> ')} imports ${imp.path}`);
        else if (outputs[imp.path]) walk(imp.path, [...trail, file]);
      }
    };
    if (start) walk(start, []);
  }
  return problems;
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Relative specifiers in the emitted declarations get the extension Node's resolution (nodenext) needs. */
function addDeclarationExtensions(typesDir) {
  const specifier = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;
  for (const file of filesUnder(typesDir).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(specifier, (whole, lead, quote, spec) => {
      if (/\.(js|mjs|cjs|json)$/.test(spec)) return whole;
      const base = resolve(dirname(file), spec);
      if (existsSync(`${base}.d.ts`)) return `${lead}${quote}${spec}.js${quote}`;
      if (existsSync(join(base, 'index.d.ts'))) return `${lead}${quote}${spec}/index.js${quote}`;
      throw new BuildError(`${relative(ROOT, file)}: cannot resolve '${spec}' to a declaration file`);
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

export async function buildLibrary(outDir) {
  const staging = `${outDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    return await buildInto(staging, outDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function buildInto(staging, outDir) {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([out, src]) => [out, join(ROOT, src)])),
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    chunkNames: 'chunks/[name]-[hash]',
    // Dependencies stay imports (the consumer's install provides them); node: modules stay imports too,
    // behind the dynamic imports the check below insists on for browser-facing entries.
    external: [...packageDependencies(), 'node:*'],
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'warning',
  });
  const problems = nodeImportsReachable(result.metafile, staging);
  if (problems.length > 0) throw new BuildError(`Node-only imports reachable from browser entries:\n  ${problems.join('\n  ')}`);

  const outputs = filesUnder(staging).filter((f) => f.endsWith('.js'));
  for (const file of outputs) {
    const depth = relative(staging, file).split(sep).length;
    if (depth !== 2) throw new BuildError(`${file} is not two folders below the package root; import.meta.url paths would break`);
    if (/new URL\(["']\.\/kernels\.wasm["']/.test(readFileSync(file, 'utf8'))) {
      for (const name of ['kernels.wasm', 'kernels-relaxed.wasm']) copyFileSync(join(ROOT, 'backends/wasm', name), join(dirname(file), name));
    }
  }
  if (!filesUnder(staging).some((f) => f.endsWith('kernels.wasm'))) throw new BuildError('no output loads kernels.wasm; the wasm loader was not bundled as expected');

  // Declarations: tsc over the same entry points (tsconfig.lib.json), into <out>/types.
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.lib.json'), '--declarationDir', join(staging, 'types')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new BuildError(`tsc (declarations) failed:\n${String(e.stdout ?? '')}${String(e.stderr ?? '')}`);
  }
  for (const src of Object.values(ENTRIES)) {
    const dts = join(staging, 'types', src.replace(/\.ts$/, '.d.ts'));
    if (!existsSync(dts)) throw new BuildError(`tsc wrote no ${relative(ROOT, dts)}`);
  }
  addDeclarationExtensions(join(staging, 'types'));

  // Replace the old build in one step, so a process starting meanwhile sees the old or the new, never half.
  const old = `${outDir}.old-${process.pid}`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staging, outDir);
  rmSync(old, { recursive: true, force: true });
  const bytes = filesUnder(outDir).reduce((n, f) => n + statSync(f).size, 0);
  return { outDir, files: filesUnder(outDir).length, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'dist') } } });
  const started = performance.now();
  try {
    const { outDir, files, bytes } = await buildLibrary(resolve(values.out));
    console.log(`build:lib: ${files} files, ${(bytes / 1024).toFixed(0)} KiB in ${relative(process.cwd(), outDir) || '.'} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.error(`build:lib: ${e instanceof BuildError ? e.message : e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  }
}
