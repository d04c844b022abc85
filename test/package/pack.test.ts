/**
 * The npm package as a user gets it: `npm run build:lib`'s build, `npm pack`, the tarball installed into
 * a fresh project with npm, then the seed program run there with plain `node` (no tsx), the CLI run
 * from the installed bin, and a Vite page importing the package built and run in headless Chromium.
 * The project is packed from a staging copy (npm's own file list for this package.json, plus a fresh
 * build), so the test never writes dist/ into the working tree that other tests and `bin/` look at.
 * Skips, saying why, where the npm registry cannot be reached (the install fetches the dependencies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const NPM_ENV = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', npm_config_update_notifier: 'false' };

async function registryUnreachable(): Promise<string | null> {
  let last = '';
  // Twice, generously: a loaded machine makes a single slow ping look like no network.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await run('npm', ['ping'], { env: NPM_ENV, timeout: 45_000 });
      return null;
    } catch (e) {
      last = (e as Error).message.split('\n')[0] ?? '';
    }
  }
  return `the npm registry cannot be reached (npm ping: ${last})`;
}

const skipReason = await registryUnreachable();
if (skipReason) console.warn(`package test skipped: ${skipReason}`);

function duBytes(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, name) => n + duBytes(join(path, name)), 0);
}

const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

describe.skipIf(skipReason !== null)('the npm package, packed and installed into a fresh project', () => {
  let work: string;
  let app: string;
  let tarball: { path: string; bytes: number; files: string[] };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tinyflow-pack-'));
    const staging = join(work, 'package');
    mkdirSync(staging);
    // npm's own answer to "which files does this package.json ship" (dist/ aside, built fresh below).
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, env: NPM_ENV, timeout: 60_000 });
    const listed = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const file of listed.filter((f) => !f.startsWith('dist/'))) cpSync(join(REPO, file), join(staging, file), { recursive: true });
    await run(process.execPath, [join(REPO, 'scripts/build-lib.mjs'), '--out', join(staging, 'dist')], { cwd: REPO, timeout: 240_000 });
    const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: staging, env: NPM_ENV, timeout: 60_000 });
    const info = (JSON.parse(packed.stdout) as { filename: string; size: number; files: { path: string }[] }[])[0]!;
    tarball = { path: join(work, info.filename), bytes: info.size, files: info.files.map((f) => f.path) };

    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-project', version: '1.0.0', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball.path], { cwd: app, env: NPM_ENV, timeout: 240_000 });
    const modules = join(app, 'node_modules');
    const ours = duBytes(join(modules, 'tinyflow-studio'));
    const webgpu = existsSync(join(modules, 'webgpu')) ? duBytes(join(modules, 'webgpu')) : 0;
    const deps = duBytes(modules) - ours;
    console.log(`package: tarball ${MiB(tarball.bytes)} (${tarball.files.length} files); installed: the package ${MiB(ours)}, ` +
      `its dependencies ${MiB(deps)} (of which the optional webgpu ${MiB(webgpu)})`);
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the build, the wasm kernels and the bundled digits, and none of the sources or tests', () => {
    expect(tarball.files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/tinyflow.mjs', 'dist/core/index.js', 'dist/core/datasets.js',
      'dist/types/src-core/index.d.ts', 'resources/mnist/train-images-idx3-ubyte.gz', 'backends/wasm/kernels.wasm']));
    expect(tarball.files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(tarball.files.filter((f) => f.includes('test'))).toEqual([]);
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/tinyflow-studio/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const appOnly of ['vue', 'pinia', 'chart.js', 'tsx']) expect(installed.dependencies).not.toHaveProperty(appOnly);
    expect(existsSync(join(app, 'node_modules/tsx'))).toBe(false);
  });

  it("runs the seed program with plain node, importing 'tinyflow-studio' and 'tinyflow-studio/datasets' (wasm backend): test accuracy >= 0.90", async () => {
    cpSync(join(import.meta.dirname, 'seed.mjs'), join(app, 'seed.mjs'));
    const { stdout } = await run(process.execPath, ['seed.mjs', '1000', 'wasm'], { cwd: app, timeout: 180_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { accuracy: number; backend: string };
    console.log(`package: seed program in the fresh project: ${JSON.stringify(result)}`);
    expect(result.backend).toBe('wasm');
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
  }, 200_000);

  it('the installed bin runs the built CLI without tsx: --version, info --json, and usage errors exit 2', async () => {
    const bin = join(app, 'node_modules/.bin/tinyflow');
    const version = await run(bin, ['--version'], { cwd: app, timeout: 60_000 });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
    const info = JSON.parse((await run(bin, ['info', '--json'], { cwd: app, timeout: 60_000 })).stdout) as { backends: { name: string; available: boolean }[] };
    expect(info.backends.find((b) => b.name === 'wasm')?.available).toBe(true);
    await expect(run(bin, ['train', '--stepz', '3'], { cwd: app, timeout: 60_000 })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--stepz'") });
    // The app and the bench are not in the package: studio and bench say so (exit 1) rather than fail obscurely.
    await expect(run(bin, ['studio', '--web'], { cwd: app, timeout: 60_000 })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/studio runs from a checkout/) });
    await expect(run(bin, ['bench', '--quick'], { cwd: app, timeout: 60_000 })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/bench runs from a checkout/) });
  }, 120_000);

  it('its type declarations resolve for a strict TypeScript project under nodenext resolution', async () => {
    writeFileSync(join(app, 'check.ts'), [
      "import * as tf from 'tinyflow-studio';",
      "import { get_mnist, type MnistDataSets } from 'tinyflow-studio/datasets';",
      "import * as np from 'tinyflow-studio/np';",
      "import { createCpuBackend } from 'tinyflow-studio/backends/cpu';",
      "import { registerBackend } from 'tinyflow-studio/backends';",
      'const x: tf.Tensor = tf.placeholder(tf.float32, [null, 784]);',
      'const data: MnistDataSets = get_mnist({ flatten: true, onehot: true });',
      'const a: tf.NDArray = np.zeros([2, 2]);',
      "registerBackend('my-cpu', () => createCpuBackend(), { priority: -5 });",
      '// @ts-expect-error: a wrong argument type must be caught, so the types are real, not any',
      'tf.placeholder(42);',
      'export { x, data, a };',
    ].join('\n'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      // No @types/node: a browser project's setup. Session implements Symbol.dispose, hence esnext.disposable.
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom', 'esnext.disposable'], strict: true, noEmit: true, types: [] },
      files: ['check.ts'],
    }));
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    await expect(run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, timeout: 120_000 }).then(() => 'ok', (e: { stdout: string }) => e.stdout)).resolves.toBe('ok');
  }, 150_000);

  it('a Vite page importing the package builds, and runs on cpu and wasm in headless Chromium', async () => {
    const page = join(app, 'page');
    cpSync(join(import.meta.dirname, 'page'), page, { recursive: true });
    const outDir = join(app, 'page-dist');
    await build({ root: page, logLevel: 'silent', configFile: false, build: { outDir, emptyOutDir: true } });
    const assets = readdirSync(join(outDir, 'assets'));
    expect(assets.some((f) => f.endsWith('.wasm'))).toBe(true);
    if (!existsSync(CHROMIUM)) {
      console.warn(`package test: the page was built; not run, ${CHROMIUM} is not installed`);
      return;
    }
    const server = await serve(outDir);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`);
      const result = (await tab.evaluate('window.__tinyflow')) as { error?: string; cpu: { loss: number; grad: number[] }; wasm: { loss: number; grad: number[] } };
      expect(result.error).toBeUndefined();
      // x = [[1,2],[3,4]], w = [[0.5,-1],[2,0.25]]: x·w = [[4.5,-0.5],[9.5,-2]], loss = sum of squares.
      expect(result.cpu.loss).toBeCloseTo(20.25 + 0.25 + 90.25 + 4, 4);
      expect(result.wasm.loss).toBeCloseTo(result.cpu.loss, 4);
      result.wasm.grad.forEach((g, i) => expect(g).toBeCloseTo(result.cpu.grad[i]!, 3));
    } finally {
      await browser.close();
      server.close();
    }
  }, 180_000);
});

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = join(root, new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(root) || !existsSync(path) || statSync(path).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    void readFile(path).then((body) => res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream' }).end(body));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

