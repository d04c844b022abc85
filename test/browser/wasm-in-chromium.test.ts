/**
 * The wasm backend in a real browser: Vite bundles test/browser/wasm-page (which imports
 * backends/wasm and src-core the way the renderer does), a tiny static server serves it with the
 * Electron app's Content-Security-Policy, and headless Chromium runs a few primitives plus a 20-step
 * seed-model training on both the cpu and the wasm backend. wasm must agree with cpu, load under the
 * CSP ('wasm-unsafe-eval' and nothing looser) and fetch kernels.wasm as application/wasm. The same
 * workload runs in Node for a timing baseline. Skips, saying why, where /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { build, type Plugin } from 'vite';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createCpuBackend } from '../../backends/cpu';
import { createWasmBackendAsync, wasmSimdSupported } from '../../backends/wasm';
import { runWorkload, type PrimitiveResult, type WorkloadResult } from './wasm-page/workload';

const CHROMIUM = '/usr/bin/chromium';
const PAGE_ROOT = resolve(import.meta.dirname, 'wasm-page');

/** The Electron app's header CSP, verbatim (src-main/electron/security.ts); its script-src is "'self' 'wasm-unsafe-eval'". */
const ELECTRON_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
/** The same policy without 'wasm-unsafe-eval': a control showing the header is really enforced. */
const NO_WASM_CSP = ELECTRON_CSP.replace(" 'wasm-unsafe-eval'", '');

/** Each path prefix serves the same bundle under its own policy. */
const POLICIES: Record<string, string> = { '/electron/': ELECTRON_CSP, '/no-wasm-eval/': NO_WASM_CSP };

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

const skipReason = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`;
if (skipReason) console.warn(`wasm-in-Chromium test skipped: ${skipReason}`);

const REPO_ROOT = resolve(PAGE_ROOT, '../../..');
const repoPath = (id: string) => (id.startsWith(REPO_ROOT + sep) ? id.slice(REPO_ROOT.length + 1) : id);

interface BundleGraph {
  /** Every node: import Vite resolved, as "importer -> node:module". */
  nodeImports: string[];
  /** Chains entry -> ... -> node: module made of static imports only (each one a browser bug). */
  staticChains: string[];
  /** Modules reachable from the entry by static imports (what the page evaluates at load). */
  staticModules: string[];
}

/** Records which modules import node: builtins, and whether any is reachable from the entry by static imports. */
function recordNodeImports(graph: BundleGraph): Plugin {
  const isNodeBuiltin = (id: string) => id.startsWith('node:') || id.includes('__vite-browser-external');
  return {
    name: 'tinyflow-test-record-node-imports',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source.startsWith('node:') && importer) graph.nodeImports.push(`${repoPath(importer)} -> ${source}`);
      return null;
    },
    generateBundle() {
      const parent = new Map<string, string | null>();
      const queue: string[] = [];
      for (const id of this.getModuleIds()) {
        if (this.getModuleInfo(id)?.isEntry) {
          parent.set(id, null);
          queue.push(id);
        }
      }
      while (queue.length > 0) {
        const id = queue.shift()!;
        graph.staticModules.push(repoPath(id));
        for (const dep of this.getModuleInfo(id)?.importedIds ?? []) {
          if (isNodeBuiltin(dep)) {
            const chain = [dep];
            for (let at: string | null | undefined = id; at; at = parent.get(at)) chain.unshift(repoPath(at));
            graph.staticChains.push(chain.join(' -> '));
          } else if (!parent.has(dep)) {
            parent.set(dep, id);
            queue.push(dep);
          }
        }
      }
    },
  };
}

interface Served {
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
}

function startServer(root: string, log: Served[]): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = Object.keys(POLICIES).find((p) => url.pathname.startsWith(p));
    const reply = (status: number, contentType: string, body: string | Buffer) => {
      log.push({ path: url.pathname, status, contentType });
      res.writeHead(status, {
        'Content-Type': contentType,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...(prefix ? { 'Content-Security-Policy': POLICIES[prefix] } : {}),
      });
      res.end(body);
    };
    if (prefix === undefined) return reply(404, 'text/plain', 'not found');
    let rel = decodeURIComponent(url.pathname.slice(prefix.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep)) return reply(403, 'text/plain', 'forbidden');
    readFile(file).then(
      (body) => reply(200, MIME[extname(file)] ?? 'application/octet-stream', body),
      () => reply(404, 'text/plain', 'not found'),
    );
  });
  return new Promise((resolveServer) => server.listen(0, '127.0.0.1', () => resolveServer(server)));
}

interface PageOutcome {
  readonly result?: WorkloadResult;
  readonly error?: string;
  readonly cspViolations: string[];
  readonly console: string[];
}

interface PageGlobals {
  __result?: WorkloadResult;
  __error?: string;
  __cspViolations?: string[];
}

async function runPage(context: BrowserContext, url: string): Promise<PageOutcome> {
  const page: Page = await context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => {
      const g = window as unknown as PageGlobals;
      return g.__result !== undefined || g.__error !== undefined;
    }, null, { timeout: 40_000 });
    const globals = await page.evaluate(() => {
      const g = window as unknown as PageGlobals;
      return { result: g.__result, error: g.__error, cspViolations: g.__cspViolations ?? [] };
    });
    return { ...globals, console: consoleLines };
  } catch (error) {
    throw new Error(`${url}: ${(error as Error).message}\npage console:\n${consoleLines.join('\n')}`);
  } finally {
    await page.close();
  }
}

/** float32 agreement: absolute slack plus a few ulp-ish of the largest magnitude. */
function expectClose(name: string, r: PrimitiveResult, rel: number, abs: number): void {
  expect(r.maxAbsDiff, `${name}: max |cpu - wasm| = ${r.maxAbsDiff} (max |cpu| = ${r.maxAbs})`).toBeLessThanOrEqual(abs + rel * r.maxAbs);
  expect(r.maxAbs, `${name}: the output is not all zeros`).toBeGreaterThan(0);
}

function expectWorkloadAgrees(r: WorkloadResult): void {
  expect(r.simd).toBe(true);
  expectClose('matmul 64×48×32 transposeB', r.matmul, 1e-5, 1e-5);
  expectClose('broadcast add', r.broadcastAdd, 0, 0); // one rounding either way: identical
  expectClose('row softmax', r.softmax, 1e-5, 1e-6);
  expectClose('reduce sum', r.reduceSum, 1e-6, 1e-5);
  const t = r.training;
  expect(t.maxAbsDiffW, `trained W: max |cpu - wasm| = ${t.maxAbsDiffW}`).toBeLessThan(1e-4);
  expect(t.maxAbsW, 'W really trained').toBeGreaterThan(1e-3);
  expect(t.lossCpu).toBeLessThan(t.lossStart); // the loss went down
  expect(Math.abs(t.lossCpu - t.lossWasm)).toBeLessThan(1e-5);
}

function timingLine(label: string, r: WorkloadResult): string {
  const p = (x: PrimitiveResult) => `cpu ${x.cpuMs.toFixed(3)} / wasm ${x.wasmMs.toFixed(3)} ms`;
  return (
    `${label}: wasm init ${r.wasmInitMs.toFixed(1)} ms; matmul ${p(r.matmul)}; add ${p(r.broadcastAdd)}; ` +
    `softmax ${p(r.softmax)}; reduce ${p(r.reduceSum)}; ${r.training.steps} training steps cpu ${r.training.cpuMs.toFixed(1)} / ` +
    `wasm ${r.training.wasmMs.toFixed(1)} ms`
  );
}

describe.skipIf(skipReason !== null)('the wasm backend in headless Chromium (Vite bundle, Electron CSP)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tinyflow-wasm-chromium-'));
  const outDir = join(tmp, 'dist');
  const served: Served[] = [];
  const bundleGraph: BundleGraph = { nodeImports: [], staticChains: [], staticModules: [] };
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let origin = '';
  let inChromium: PageOutcome;

  beforeAll(async () => {
    await build({
      root: PAGE_ROOT,
      base: './',
      configFile: false,
      envDir: false,
      logLevel: 'error',
      plugins: [recordNodeImports(bundleGraph)],
      build: { outDir, emptyOutDir: true, reportCompressedSize: false, minify: false },
    });
    server = await startServer(outDir, served);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    inChromium = await runPage(context, `${origin}/electron/`);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('bundles for the browser: kernels.wasm is emitted as an asset, node: imports only behind dynamic import()', () => {
    const assets = readdirSync(join(outDir, 'assets'));
    expect(assets.some((f) => /^kernels-.*\.wasm$/.test(f)), assets.join(', ')).toBe(true);
    // Vite stubs node: modules for the browser (__vite-browser-external). That is harmless only where
    // they are reached through a dynamic import() the browser path never takes: backends/wasm/loader.ts
    // (fetchBytes, its Node branch) and src-core/checkpoint/checkpoint-file.ts (loaded lazily by
    // tf.train.Saver). Any node: import statically reachable from the entry would break the page.
    expect(bundleGraph.staticModules).toEqual(expect.arrayContaining(['backends/wasm/loader.ts', 'src-core/session.ts']));
    expect(bundleGraph.staticChains, bundleGraph.staticChains.join('\n')).toEqual([]);
    expect(new Set(bundleGraph.nodeImports)).toEqual(
      new Set([
        'backends/wasm/loader.ts -> node:fs/promises',
        'src-core/checkpoint/checkpoint-file.ts -> node:fs',
        'src-core/checkpoint/checkpoint-file.ts -> node:fs/promises',
        'src-core/checkpoint/checkpoint-file.ts -> node:path',
      ]),
    );
  });

  it('loads under the Electron CSP with no violations, fetching kernels.wasm as application/wasm', () => {
    expect(inChromium.error, inChromium.error).toBeUndefined();
    expect(inChromium.result).toBeDefined();
    expect(inChromium.cspViolations).toEqual([]);
    const wasmFetches = served.filter((s) => s.path.startsWith('/electron/') && s.path.endsWith('.wasm'));
    expect(wasmFetches).toEqual([expect.objectContaining({ status: 200, contentType: 'application/wasm' })]);
    // The browser-external stub of node: modules is never loaded: the Node branches really are dead here.
    expect(served.filter((s) => s.path.includes('__vite-browser-external'))).toEqual([]);
    expect(inChromium.result?.userAgent).toMatch(/HeadlessChrome|Chrome/);
  });

  it('agrees with the cpu backend in Chromium: primitives within float32 tolerance, trained W within 1e-4', () => {
    expect(inChromium.result, inChromium.error).toBeDefined();
    expectWorkloadAgrees(inChromium.result!);
  });

  it('fails with a clear error, not silently, where the CSP lacks wasm-unsafe-eval (control: the header is enforced)', async () => {
    const outcome = await runPage(context!, `${origin}/no-wasm-eval/`);
    expect(outcome.result).toBeUndefined();
    expect(outcome.error).toMatch(/wasm backend unavailable: kernels\.wasm does not compile here/);
    expect(outcome.cspViolations.some((v) => v.startsWith('script-src'))).toBe(true);
  });

  it('gives the same answers in Node; timings Chromium vs Node', async () => {
    const start = performance.now();
    const wasm = await createWasmBackendAsync();
    const wasmInitMs = performance.now() - start;
    const cpu = createCpuBackend();
    const inNode = await runWorkload({ cpu, wasm, wasmInitMs, simd: wasmSimdSupported() }, `Node ${process.version}`);
    wasm.dispose();
    cpu.dispose();
    expectWorkloadAgrees(inNode);
    const browser = inChromium.result!;
    console.log(`${timingLine(`Chromium (${browser.userAgent})`, browser)}\n${timingLine(inNode.userAgent, inNode)}`);
    // Same code, same data, same kernels: the trained W agree across hosts too.
    expect(Math.abs(browser.training.lossWasm - inNode.training.lossWasm)).toBeLessThan(1e-5);
  });
});
