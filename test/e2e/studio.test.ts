/**
 * The app end to end in headless Chromium against the built web host: train with live charts, move the
 * running session between backends, draw a real test digit and see it recognised, inspect, compare,
 * save a checkpoint and reopen it after a page reload.
 * Screenshots of every view go to docs/screenshots/. Skips, saying why, where Chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { get_mnist } from '../../src-core/datasets';
import { buildApp, chromiumMissing, CHROMIUM, drawDigit, launchChromium, ROOT, startWebHost } from './browser-support';

const SHOTS = join(ROOT, 'docs/screenshots');
if (chromiumMissing) console.warn(`e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);


/** Pixels of the loss line's colour on the loss chart's canvas: > 0 once the chart has drawn a curve. */
const lossInk = (page: Page): Promise<number> =>
  page.locator('[data-testid="loss-chart"] canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 46 && d[i + 1] === 134 && d[i + 2] === 171) n++;
    return n;
  });

const stepOf = async (page: Page): Promise<number> => Number((await page.locator('.progress-label').textContent())?.match(/step (\d+)/)?.[1] ?? 0);

describe.skipIf(chromiumMissing)('tinyflow studio in headless Chromium (web host)', () => {
  let context: BrowserContext;
  let page: Page;
  let host: ChildProcess;
  let url: string;

  beforeAll(async () => {
    buildApp();
    ({ url, child: host } = await startWebHost());
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.error('page error:', e.message));
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(url);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    host?.kill();
  });

  it('trains with a live chart and examples/s, and keeps training across a backend switch', async () => {
    // Long enough that training is still running after the 3 s frame-rate window and the backend switches.
    await page.getByTestId('epochs').fill('200');
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 15_000 }).toBe('running');
    const rate1 = await page.getByTestId('examples-per-second').textContent();
    await expect.poll(() => page.getByTestId('examples-per-second').textContent(), { timeout: 10_000 }).not.toBe(rate1);
    // The loss chart has drawn something: its canvas holds non-transparent pixels along the line.
    expect(await lossInk(page)).toBeGreaterThan(20);

    // The UI stays live while the worker trains and streams progress: count animation frames over 3 s
    // and collect the main thread's long tasks (≥ 50 ms) in the page itself.
    const stepBefore = await stepOf(page);
    const smooth = await page.evaluate(async (windowMs) => {
      const longTasks: number[] = [];
      let observer: PerformanceObserver | null = null;
      if (PerformanceObserver.supportedEntryTypes.includes('longtask')) {
        observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
        observer.observe({ type: 'longtask' });
      }
      const t0 = performance.now();
      let frames = 0, last = t0, worstGap = 0;
      await new Promise<void>((resolve) => {
        const tick = (t: number): void => {
          frames++;
          worstGap = Math.max(worstGap, t - last);
          last = t;
          if (t - t0 < windowMs) requestAnimationFrame(tick);
          else resolve();
        };
        requestAnimationFrame(tick);
      });
      // Entries are delivered asynchronously: let the last ones in before disconnecting.
      await new Promise((r) => setTimeout(r, 50));
      observer?.disconnect();
      return { fps: (frames - 1) / ((last - t0) / 1000), worstGapMs: worstGap, longTasks: observer ? longTasks : null };
    }, 3000);
    const stepAfter = await stepOf(page);
    const longest = smooth.longTasks === null ? 'longtask entries unsupported' : smooth.longTasks.length === 0 ? 'no task ≥ 50 ms' : `${smooth.longTasks.length} tasks ≥ 50 ms, longest ${Math.max(...smooth.longTasks).toFixed(0)} ms`;
    console.log(`UI while training (softmax, ${await page.getByTestId('running-backend').textContent()}, headless Chromium): ${smooth.fps.toFixed(1)} fps over 3 s, worst frame gap ${smooth.worstGapMs.toFixed(0)} ms, ${longest}; steps ${stepBefore} → ${stepAfter}`);
    expect(stepAfter).toBeGreaterThan(stepBefore);
    // Not frozen; a loaded CI machine running other test files still gets well above this.
    expect(smooth.fps).toBeGreaterThanOrEqual(10);

    // Every backend that runs here (an unavailable one is listed disabled), the one training now last.
    const backends = await page.getByTestId('backend').locator('option:not([disabled])').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const first = await page.getByTestId('running-backend').textContent();
    const targets = [...backends.filter((b) => b !== first), ...backends.filter((b) => b === first)];
    for (const backend of targets) {
      const before = await stepOf(page);
      await page.getByTestId('backend').selectOption(backend);
      // Choosing a backend while a session runs moves its variables there.
      await expect.poll(() => page.getByTestId('running-backend').textContent()).toBe(backend);
      await expect.poll(() => stepOf(page), { timeout: 15_000 }).toBeGreaterThan(before + 5);
      expect(await page.getByTestId('train-error').count()).toBe(0);
    }
    await page.screenshot({ path: join(SHOTS, 'train.png') });
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 90_000 }).toBe('finished');
    // The 90 s wait above needs a test limit past the default 60 s (a loaded CI machine trains slower).
  }, 120_000);

  it('recognises a real test digit drawn with the mouse, with a saliency map', async () => {
    const mnist = get_mnist({ flatten: true, onehot: false });
    const index = 0;
    const label = mnist.test.labels.data[index];
    const backend = await page.getByTestId('running-backend').textContent();
    await page.getByTestId('tab-draw').click();
    await drawDigit(page, (mnist.test.images.data as Float32Array).slice(index * 784, (index + 1) * 784));
    await expect.poll(() => page.getByTestId('top-class').textContent(), { timeout: 10_000 }).toBe(String(label));
    // Median predict round trip over the WebSocket, as the Draw view makes it.
    const median = async (saliency: boolean) => page.evaluate(async ({ token, saliency }) => {
      const ws = new WebSocket(`ws://${location.host}/api?token=${token}`);
      await new Promise((r) => ws.addEventListener('open', r));
      const pixels = new Array(784).fill(0).map((_, i) => (i % 29 === 0 ? 1 : 0));
      const times: number[] = [];
      for (let id = 1; id <= 40; id++) {
        const t0 = performance.now();
        ws.send(JSON.stringify({ kind: 'request', id, channel: 'predict', payload: { pixels, saliency } }));
        await new Promise<void>((r) => ws.addEventListener('message', function on(e) { if (JSON.parse(e.data).id === id) { ws.removeEventListener('message', on); r(); } }));
        times.push(performance.now() - t0);
      }
      ws.close();
      return times.sort((a, b) => a - b)[20];
    }, { token: new URL(url).searchParams.get('token'), saliency });
    const [plain, withSaliency] = [await median(false), await median(true)];
    console.log(`predict round trip over the WebSocket (softmax, ${backend}): median ${plain.toFixed(2)} ms, ${withSaliency.toFixed(2)} ms with saliency`);
    // The target is 20 ms; the bound leaves room for a loaded 2-core CI machine running other test files.
    expect(plain).toBeLessThan(50);
    await page.screenshot({ path: join(SHOTS, 'draw.png') });
  });

  it('inspects weights, the confusion matrix, misclassified digits and the graph', async () => {
    await page.getByTestId('tab-inspect').click();
    await expect.poll(() => page.getByTestId('templates').locator('canvas').count(), { timeout: 15_000 }).toBe(10);
    await expect.poll(() => page.getByTestId('misclassified').locator('figure').count()).toBeGreaterThan(0);
    await page.locator('.graph-node').first().click();
    await expect.poll(() => page.getByTestId('node-details').textContent()).toContain('op');
    // A forward MatMul: its output shape, a histogram of its values on the current batch, and its mean
    // kernel time per training step from the session's per-node profile (training ran above).
    await page.locator('.graph-node', { has: page.locator('title', { hasText: /^(?!gradients).*\(MatMul\)/ }) }).first().click();
    await expect.poll(() => page.getByTestId('node-shape').textContent(), { timeout: 10_000 }).toMatch(/^\[\d+, 10\]$/);
    expect(await page.getByTestId('node-histogram').locator('rect.bar').count()).toBe(30);
    expect(await page.getByTestId('node-time').textContent()).toMatch(/^\d+\.\d{3} ms · (mean of \d+ training steps \(kernel time\)|one fused kernel with .*)$/);
    // Coloured by measured time per node: the nodes with kernels get shades of red, the slowest deepest.
    await page.getByTestId('graph-color').selectOption('time');
    const fills = await page.locator('.graph-node rect').evaluateAll((rects) => rects.map((r) => r.getAttribute('fill') ?? ''));
    expect(fills.filter((f) => f.startsWith('hsl(0,')).length).toBeGreaterThan(3);
    await page.screenshot({ path: join(SHOTS, 'inspect.png'), fullPage: true });
  });

  it('compares backends and shows the op-coverage table', async () => {
    await page.getByTestId('tab-compare').click();
    await page.getByTestId('compare-run').click();
    await expect.poll(() => page.getByTestId('compare-table').locator('tbody tr').first().textContent(), { timeout: 30_000 }).toContain('cpu');
    await expect.poll(() => page.getByTestId('coverage').textContent()).toContain('matmul');
    await page.screenshot({ path: join(SHOTS, 'compare.png'), fullPage: true });
  });

  it('saves a checkpoint, and after a page reload opens it and trains on from its step', async () => {
    await page.getByTestId('tab-train').click();
    // 1,000 epochs (80,000 steps): the run must still be going after the reload below, to be stopped
    // there, even on a quiet machine (40 epochs finished first on the clean-clone CI).
    await page.getByTestId('epochs').fill('1000');
    await page.getByTestId('start').click();
    // 'running' only once the new run started: the previous one ended 'finished' with a high step count.
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 15_000 }).toBe('running');
    await expect.poll(() => stepOf(page), { timeout: 15_000 }).toBeGreaterThan(30);
    await page.getByTestId('checkpoint-name').fill('e2e-run');
    await page.getByTestId('checkpoint-save').click();
    await expect.poll(() => page.getByTestId('checkpoint-message').textContent(), { timeout: 15_000 }).toMatch(/saved e2e-run\.safetensors at step \d+/);
    const saved = Number((await page.getByTestId('checkpoint-message').textContent())?.match(/step (\d+)/)?.[1]);
    expect(saved).toBeGreaterThan(30);
    // Training goes on past the saved step, so the reopened checkpoint visibly goes back to it.
    await expect.poll(() => stepOf(page), { timeout: 15_000 }).toBeGreaterThan(saved + 20);

    await page.reload();
    await expect.poll(() => page.getByTestId('checkpoint-select').locator('option').count(), { timeout: 15_000 }).toBeGreaterThan(1);
    // The form is read-only while the session runs: stop it to type other settings.
    await expect.poll(() => page.getByTestId('state').textContent()).toBe('running');
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('state').textContent()).toBe('stopped');
    // Opening the checkpoint must put its own config back in the form, whatever the form held.
    await page.getByTestId('epochs').fill('3');
    await page.getByTestId('batch').fill('7');
    await page.getByTestId('checkpoint-select').selectOption('e2e-run');
    await page.getByTestId('checkpoint-open').click();
    await expect.poll(() => page.getByTestId('restored').textContent(), { timeout: 15_000 }).toBe(`restored from checkpoint at step ${saved} (e2e-run.safetensors)`);
    expect(await page.getByTestId('state').textContent()).toBe('paused');
    expect(await stepOf(page)).toBe(saved);
    expect(await page.getByTestId('epochs').inputValue()).toBe('1000');
    expect(await page.getByTestId('batch').inputValue()).toBe('100');
    expect(await page.getByTestId('model').inputValue()).toBe('softmax');
    // The curve is the checkpoint's history up to its step, drawn before a single new step.
    await expect.poll(() => lossInk(page), { timeout: 5_000 }).toBeGreaterThan(20);
    await expect.poll(() => page.getByTestId('checkpoint-recent').first().textContent()).toContain('e2e-run.safetensors');

    await page.getByTestId('resume').click();
    await expect.poll(() => stepOf(page), { timeout: 15_000 }).toBeGreaterThan(saved + 10);
    // Continued from the trained weights: the accuracy is that of a trained model, not a fresh one's.
    const accuracy = async (): Promise<number> => Number((await page.getByTestId('accuracy').textContent())?.replace(' %', '') ?? NaN);
    await expect.poll(accuracy, { timeout: 15_000 }).toBeGreaterThan(60);
    await page.screenshot({ path: join(SHOTS, 'train.png') });
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('state').textContent()).toBe('stopped');
  });
});
