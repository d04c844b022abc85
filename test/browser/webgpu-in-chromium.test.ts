/**
 * The webgpu backend in a real browser: Vite bundles test/browser/webgpu-page (src-core and
 * backends/webgpu, as the renderer would), a small static server serves it with the real MNIST rows
 * from resources/, and headless Chromium trains the seed's softmax regression on the cpu backend and on
 * `tf.Session({backend: 'webgpu'})`, whose device comes from navigator.gpu. The loss must fall and the
 * two runs agree within the conformance suite's training tolerances.
 *
 * Debian's Chromium exposes navigator.gpu on Linux only with --enable-unsafe-webgpu; on a machine
 * without a GPU it then offers Dawn's SwiftShader (Vulkan on the CPU) adapter, vendor "google",
 * architecture "swiftshader", isFallbackAdapter true. No other flag is needed (--use-webgpu-adapter=
 * swiftshader, --enable-features=Vulkan and --use-angle=swiftshader give the same adapter). The page
 * must be a secure context, which http://127.0.0.1 is. Where Chromium is absent the suite is skipped,
 * and where it offers no adapter the test fails printing the page's reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { build } from 'vite';
import { chromium, type BrowserContext } from 'playwright-core';
import { get_mnist } from '../../src-core/datasets';
import { expectClose } from '../conformance/compare';
import { DEFAULT_TOLERANCES } from '../conformance';
import type { WebGpuPageResult } from './webgpu-page/result';

const CHROMIUM = '/usr/bin/chromium';
const PAGE_ROOT = resolve(import.meta.dirname, 'webgpu-page');
/** Exposes navigator.gpu; on a GPU-less machine Chromium then falls back to SwiftShader by itself. */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu'];
const STEPS = 10;
const BATCH = 100;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.f32': 'application/octet-stream',
};

const skipReason = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`;
if (skipReason) console.warn(`webgpu-in-Chromium test skipped: ${skipReason}`);

function startServer(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(root, rel));
    const reply = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (!file.startsWith(root + sep)) return reply(403, 'text/plain', 'forbidden');
    readFile(file).then(
      (body) => reply(200, MIME[extname(file)] ?? 'application/octet-stream', body),
      () => reply(404, 'text/plain', 'not found'),
    );
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/** The first STEPS·BATCH training rows in stored order, as the raw float32 files the page fetches. */
function writeMnistRows(dir: string): void {
  const mnist = get_mnist({ flatten: true, onehot: true, shuffle: false });
  const rows = STEPS * BATCH;
  const x = (mnist.train.images.data as Float32Array).slice(0, rows * 784);
  const y = (mnist.train.labels.data as Float32Array).slice(0, rows * 10);
  writeFileSync(join(dir, 'mnist-x.f32'), new Uint8Array(x.buffer));
  writeFileSync(join(dir, 'mnist-y.f32'), new Uint8Array(y.buffer));
  writeFileSync(join(dir, 'mnist-meta.json'), JSON.stringify({ steps: STEPS, batchSize: BATCH }));
}

interface PageGlobals {
  __result?: WebGpuPageResult;
  __error?: string;
}

describe.skipIf(skipReason !== null)('the webgpu backend in headless Chromium (navigator.gpu)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tinyflow-webgpu-chromium-'));
  const outDir = join(tmp, 'dist');
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let result: WebGpuPageResult | undefined;
  let pageError: string | undefined;
  const consoleLines: string[] = [];

  beforeAll(async () => {
    await build({
      root: PAGE_ROOT,
      base: './',
      configFile: false,
      envDir: false,
      logLevel: 'error',
      build: { outDir, emptyOutDir: true, reportCompressedSize: false, minify: false },
    });
    writeMnistRows(outDir);
    server = await startServer(outDir);
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...WEBGPU_FLAGS],
    });
    const page = await context.newPage();
    page.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => {
      const g = window as unknown as PageGlobals;
      return g.__result !== undefined || g.__error !== undefined;
    }, null, { timeout: 100_000 });
    ({ result, pageError } = await page.evaluate(() => {
      const g = window as unknown as PageGlobals;
      return { result: g.__result, pageError: g.__error };
    }));
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('gets a WebGPU adapter through navigator.gpu (or says exactly why not)', () => {
    expect(pageError, `${pageError}\npage console:\n${consoleLines.join('\n')}`).toBeUndefined();
    if (result?.ok === false) console.error(`no WebGPU adapter in Chromium (${result.userAgent}): ${result.reason}`);
    expect(result?.ok === false ? result.reason : null, 'Chromium offers no WebGPU adapter').toBeNull();
    if (result?.ok !== true) return;
    const a = result.adapter;
    console.log(
      `Chromium WebGPU adapter with ${WEBGPU_FLAGS.join(' ')}: vendor '${a.vendor}', architecture '${a.architecture}', ` +
      `isFallbackAdapter ${a.isFallbackAdapter}, maxBufferSize ${a.maxBufferSize}; backend reports ${JSON.stringify(result.backendAdapter)}`,
    );
    expect(result.backendName).toBe('webgpu');
    expect(result.backendAdapter?.description).toMatch(/^navigator\.gpu/);
  });

  it('reports a fallback adapter as software, and the hardware-only built-in registration refuses it with that reason', () => {
    if (result?.ok !== true) return expect.fail('no result (see the adapter test)');
    const software = result.adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(result.adapter.architecture);
    expect(result.backendAdapter?.software).toBe(software);
    if (software) {
      expect(result.registered).toEqual({ available: false, reason: expect.stringMatching(/only a software WebGPU adapter is available \(navigator\.gpu/) });
    } else {
      expect(result.registered.available).toBe(true);
    }
  });

  it('trains the seed softmax regression on MNIST: the loss falls and webgpu agrees with cpu within the training tolerances', () => {
    if (result?.ok !== true) return expect.fail('no result (see the adapter test)');
    const { cpu, webgpu } = result;
    expect(webgpu.losses).toHaveLength(STEPS);
    expect(webgpu.losses[0]).toBeCloseTo(Math.log(10), 4); // W and b start at zero: a uniform softmax
    expect(webgpu.evalLossAfter, 'the loss on the first batch fell').toBeLessThan(webgpu.evalLossBefore - 0.5);
    expect(webgpu.losses.at(-1)!).toBeLessThan(webgpu.losses[0]! - 0.5);
    expectClose(webgpu.losses, cpu.losses, DEFAULT_TOLERANCES.trainingLoss, 'loss per step');
    expectClose(webgpu.W, cpu.W, DEFAULT_TOLERANCES.trainingWeights, 'final W');
    expectClose(webgpu.b, cpu.b, DEFAULT_TOLERANCES.trainingWeights, 'final b');
    expect(Math.max(...webgpu.W.map(Math.abs)), 'W really trained').toBeGreaterThan(1e-3);
    // Pipelines are compiled once, not per step: the count does not grow with the number of steps run.
    const stats = result.webgpuStats;
    expect(stats).not.toBeNull();
    expect(stats!.pipelinesCompiled).toBeLessThan(stats!.dispatches / 4);
    console.log(
      `Chromium ${STEPS} steps of ${BATCH} MNIST rows: webgpu first step ${webgpu.firstStepMs.toFixed(1)} ms, then ${webgpu.stepMs.toFixed(2)} ms/step ` +
      `fetching the loss, ${webgpu.pipelinedStepMs.toFixed(2)} ms/step fetching nothing; cpu first step ${cpu.firstStepMs.toFixed(1)} ms, then ` +
      `${cpu.stepMs.toFixed(2)} / ${cpu.pipelinedStepMs.toFixed(2)} ms/step; loss ${webgpu.losses[0]!.toFixed(4)} -> ${webgpu.losses.at(-1)!.toFixed(4)}; ` +
      `webgpu counters ${JSON.stringify(stats)}`,
    );
  });
});
