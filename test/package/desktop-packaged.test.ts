/**
 * The desktop app as `npm run dist` packs it, checked as far as it can be without Electron's binary
 * (which cannot be downloaded here): a staging copy of the project is built with electron-vite, then
 * packed for Linux by the real electron-builder (`--dir`) with electron-builder.yml, around a
 * synthetic Electron "binary" that carries Electron's fuse wire, so the afterPack hook runs for real.
 * The packaged app is then followed from package.json's main through every import, worker, preload,
 * renderer page, wasm file, the digits and the packages, as the app would load them. A copy of the
 * config that leaves the wasm out is packed too, and the same check must name what is missing.
 * Offline: the proxy variables point at a closed local port, so any download attempt fails at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { STUDIO_FUSES } from '../../scripts/electron-fuses.mjs';
import { MNIST_FILE_STEMS } from '../../src-core/datasets/mnist-files';
import { followPackagedApp, PackagedApp, type Reach } from './desktop-support';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const SENTINEL = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX');
/** Electron's fuse order, as @electron/fuses numbers them. */
const FUSE_ORDER = ['RunAsNode', 'EnableCookieEncryption', 'EnableNodeOptionsEnvironmentVariable', 'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation', 'OnlyLoadAppFromAsar', 'LoadBrowserProcessSpecificV8Snapshot', 'GrantFileProtocolExtraPrivileges'];
/** The project files `electron-vite build` and electron-builder read. */
const STAGED = ['package.json', 'package-lock.json', 'electron.vite.config.ts', 'electron-builder.yml', 'tsconfig.json', 'tsconfig.node.json', 'tsconfig.web.json',
  'src-main', 'src-preload', 'src-renderer', 'src-app-api', 'src-core', 'backends', 'scripts/electron-fuses.mjs', 'resources'];
const OFFLINE_ENV = {
  ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', npm_config_offline: 'true', npm_config_update_notifier: 'false',
  HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9',
};
const ARCH = process.arch;
const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** Bytes of every file below `dir`. */
function duBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
}

/** An Electron dist folder whose executable carries the fuse wire as Electron ships it. */
/** `src` copied as hard links (plain copies across file systems), symlinks kept as symlinks. */
function linkTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const name of readdirSync(src)) {
    const from = join(src, name);
    const to = join(dst, name);
    const stat = lstatSync(from);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (stat.isDirectory()) linkTree(from, to);
    else {
      try {
        linkSync(from, to);
      } catch {
        copyFileSync(from, to);
      }
    }
  }
}

function syntheticElectron(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const wire = '10110001';
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.alloc(4096, 0x90), SENTINEL, Buffer.from([1, wire.length]), Buffer.from(wire, 'latin1'), Buffer.alloc(4096, 0x90)]), { mode: 0o755 });
  writeFileSync(join(dir, 'version'), JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version);
}

function readFuses(binary: string): Record<string, boolean> {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  return Object.fromEntries(FUSE_ORDER.slice(0, bytes[at + 1]).map((name, i) => [name, bytes[at + 2 + i] === 0x31]));
}

async function pack(stage: string, electronDist: string, config: string, output: string): Promise<string> {
  const cli = join(ROOT, 'node_modules/electron-builder/cli.js');
  await run(process.execPath, [cli, '--dir', '--linux', `--${ARCH}`, '--config', config, `-c.electronDist=${electronDist}`, `-c.directories.output=${output}`],
    { cwd: stage, env: OFFLINE_ENV, timeout: 180_000, maxBuffer: 16 * 2 ** 20 });
  return join(output, ARCH === 'x64' ? 'linux-unpacked' : `linux-${ARCH}-unpacked`);
}

describe.skipIf(process.platform === 'win32')('the packaged desktop app (electron-builder --dir for Linux, offline, synthetic Electron)', () => {
  let work: string;
  let stage: string;
  let appDir: string;
  let mutatedAppDir: string;
  let app: PackagedApp;
  let followed: Reach | null = null;
  /** The packaged app followed once, for every test that needs it. */
  const reachOfApp = (): Reach => (followed ??= followPackagedApp(app));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tinyflow-desktop-'));
    stage = join(work, 'project');
    for (const path of STAGED) cpSync(join(ROOT, path), join(stage, path), { recursive: true, filter: (src) => !src.endsWith('.test.ts') });
    // A real folder of hard links, not one symlink: npm's tree reader (which electron-builder asks for the
    // production packages) reports a symlinked node_modules' nested dependencies as missing on a fresh
    // `npm ci` (sucrase's and webgpu's were left out of the app), though a real install resolves them.
    linkTree(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
    // A build of its own: the e2e tests rebuild the working tree's out/ at the same time.
    await run(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: stage, env: OFFLINE_ENV, timeout: 180_000 });
    const electronDist = join(work, 'electron-dist');
    syntheticElectron(electronDist);

    const config = readFileSync(join(stage, 'electron-builder.yml'), 'utf8');
    const withoutWasm = config.replace('  - out/main/**\n', '  - out/main/*.js\n');
    expect(withoutWasm, 'the mutation must change the config').not.toBe(config);
    writeFileSync(join(stage, 'electron-builder.no-wasm.yml'), withoutWasm);
    [appDir, mutatedAppDir] = await Promise.all([
      pack(stage, electronDist, 'electron-builder.yml', join(work, 'release')),
      pack(stage, electronDist, 'electron-builder.no-wasm.yml', join(work, 'release-no-wasm')),
    ]);
    app = new PackagedApp(join(appDir, 'resources'));
    const resources = join(appDir, 'resources');
    console.log(`desktop: app.asar ${MiB(statSync(join(resources, 'app.asar')).size)}, app.asar.unpacked ${MiB(duBytes(join(resources, 'app.asar.unpacked')))}`);
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs with the real electron-builder, whose afterPack hook flips the fuses in the packaged executable', () => {
    const executable = join(appDir, 'tinyflow-studio');
    expect(existsSync(executable)).toBe(true);
    const fuses = readFuses(executable);
    for (const [name, enabled] of Object.entries(STUDIO_FUSES)) expect({ name, enabled: fuses[name] }).toEqual({ name, enabled });
  });

  it('every import, worker, preload, renderer file, wasm file, the digits and every package the built app reaches is in it', () => {
    const reach = reachOfApp();
    expect(reach.problems).toEqual([]);
    expect(reach.files).toEqual(expect.arrayContaining(['out/main/index.js', 'out/main/compute-worker.js', 'out/main/compare-thread.js', 'out/preload/index.cjs',
      'out/renderer/index.html', 'out/main/kernels.wasm', 'resources/mnist/']));
    expect(reach.packages).toEqual(expect.arrayContaining(['node_modules/zod', 'node_modules/pngjs', 'node_modules/protobufjs', 'node_modules/jpeg-js']));
    for (const stem of Object.values(MNIST_FILE_STEMS)) expect(app.isFile(`resources/mnist/${stem}.gz`)).toBe(true);
  });

  it('keeps the wasm kernels, the digits and Dawn for this platform as real files beside app.asar, and packs no dev dependency, source map or other platform', () => {
    const wasm = [...app.entries.keys()].filter((p) => p.endsWith('.wasm'));
    expect(wasm).toContain('out/main/kernels.wasm');
    for (const path of [...wasm, ...Object.values(MNIST_FILE_STEMS).map((s) => `resources/mnist/${s}.gz`)]) {
      expect({ path, unpacked: app.isUnpacked(path) }).toEqual({ path, unpacked: true });
      expect(existsSync(join(appDir, 'resources/app.asar.unpacked', path))).toBe(true);
    }
    const dawn = `node_modules/webgpu/dist/linux-${ARCH}/dawn.node`;
    if (existsSync(join(ROOT, dawn))) expect(app.isUnpacked(dawn)).toBe(true);
    expect([...app.entries.keys()].filter((p) => p.startsWith('node_modules/webgpu/dist/') && !p.startsWith(`node_modules/webgpu/dist/linux-${ARCH}`) && p !== 'node_modules/webgpu/dist')).toEqual([]);
    for (const dev of ['electron', 'vue', 'pinia', 'chart.js', 'tsx', 'vite', 'typescript', 'electron-builder']) expect(app.isDir(`node_modules/${dev}`)).toBe(false);
    expect([...app.entries.keys()].filter((p) => p.endsWith('.map') || (p.endsWith('.ts') && !p.endsWith('.d.ts') && !p.startsWith('node_modules/')))).toEqual([]);
  });

  it('fails the check for a config that leaves the wasm out, naming the file and the bundle that needs it', () => {
    const baseline = new Set(reachOfApp().problems);
    const added = followPackagedApp(new PackagedApp(join(mutatedAppDir, 'resources'))).problems.filter((p) => !baseline.has(p));
    expect(added.length).toBeGreaterThan(0);
    for (const problem of added) {
      expect(problem).toMatch(/^out\/main\/kernels[^ ]*\.wasm \(new URL\('\.\/kernels[^ ]*\.wasm', import\.meta\.url\), needed by out\/main\/[^ ]+\.js\) is not in the packaged app$/);
    }
    expect(added.some((p) => p.startsWith('out/main/kernels.wasm '))).toBe(true);
  });

  it("npm pack ships none of the app build (out/, release/), though package.json's main names out/main/index.js", async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: stage, env: OFFLINE_ENV, timeout: 60_000 });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(existsSync(join(stage, 'out/main/index.js'))).toBe(true);
    expect(files.filter((f) => f.startsWith('out/') || f.startsWith('release/'))).toEqual([]);
  }, 60_000);
});
