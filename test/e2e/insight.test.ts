/**
 * Issue 15.4 in headless Chromium against the built web host: LeNet trains (a long run, stopped at the
 * end); the Inspect view shows a test image's activations layer by layer (conv1's 20 maps, pool1,
 * conv2 capped at 32 of 50, the filters), refuses an index outside the test split in words, shows the
 * drawn digit's activations, and the weight/gradient histogram timeline of conv1's weights with at
 * least 3 samples. Screenshots: docs/screenshots/activations.png and histograms.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { get_mnist } from '../../src-core/datasets';
import { buildApp, chromiumMissing, CHROMIUM, drawDigit, launchChromium, ROOT, startWebHost } from './browser-support';

if (chromiumMissing) console.warn(`e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const SHOTS = join(ROOT, 'docs/screenshots');
const text = async (page: Page, id: string): Promise<string> => (await page.getByTestId(id).first().textContent()) ?? '';

describe.skipIf(chromiumMissing)('studio in Chromium: activations and histograms', () => {
  let host: ChildProcess;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const layer = (name: string) => page.getByTestId(`layer-${name}`);

  beforeAll(async () => {
    buildApp();
    let url: string;
    ({ url, child: host } = await startWebHost());
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    host?.kill();
  });

  it("trains LeNet and shows a test image's activations, layer by layer, with conv filters", async () => {
    await page.getByTestId('model').selectOption('lenet');
    // Far more than the test needs: a quiet machine must not finish before it is stopped.
    await page.getByTestId('epochs').fill('1000');
    // Small batches: the histograms need a few steps, and a LeNet step on a busy CPU is slow.
    await page.getByTestId('batch').fill('20');
    await page.getByTestId('start').click();
    await expect.poll(() => text(page, 'state'), { timeout: 30_000 }).toBe('running');

    await page.getByTestId('tab-inspect').click();
    await expect.poll(() => layer('conv1').getByTestId('layer-maps').locator('canvas').count(), { timeout: 30_000 }).toBe(20);
    expect(await layer('conv1').textContent()).toContain('[20 × 24 × 24]');
    expect(await layer('conv1').getByTestId('layer-filters').locator('canvas').count()).toBe(20);
    expect(await layer('conv1').getByTestId('layer-filters').textContent()).toContain('20 of 20 filters 5×5 (input channel)');
    expect(await layer('pool1').getByTestId('layer-maps').locator('canvas').count()).toBe(20);
    expect(await layer('conv2').getByTestId('layer-maps').locator('canvas').count()).toBe(32);
    expect(await layer('conv2').textContent()).toContain('32 of 50 channels shown');
    expect(await layer('fc2').getByTestId('layer-vector').locator('canvas').count()).toBe(1);
    expect(await text(page, 'activation-prediction')).toMatch(/^predicted \d \(\d+\.\d %\) · label \d$/);

    // Another image: Next moves the index, the input and its label follow.
    await page.getByTestId('activation-next').click();
    await expect.poll(() => page.getByTestId('activation-index').inputValue()).toBe('1');
    await expect.poll(() => page.getByTestId('activations-panel').textContent(), { timeout: 15_000 }).toContain('test image 1');
  });

  it('refuses a test index outside the split, in words, and keeps what it showed', async () => {
    await page.getByTestId('activation-index').fill('99999');
    await page.getByTestId('activation-index').press('Enter');
    await expect.poll(() => text(page, 'activation-index-error')).toMatch(/^Test image must be a whole number between 0 and \d+$/);
    expect(await layer('conv1').getByTestId('layer-maps').locator('canvas').count()).toBe(20);
    await page.getByTestId('activation-index').fill('7');
    await page.getByTestId('activation-refresh').click();
    await expect.poll(() => page.getByTestId('activation-index-error').count()).toBe(0);
    await expect.poll(() => page.getByTestId('activations-panel').textContent(), { timeout: 15_000 }).toContain('test image 7');
  });

  it('shows the weight and gradient histograms of conv1 over at least 3 steps', async () => {
    const select = page.getByTestId('histogram-variable');
    await expect.poll(() => select.locator('option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const conv1 = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).find((v) => v.startsWith('conv1/') && !v.endsWith('bias')));
    expect(conv1).toBeDefined();
    await select.selectOption(conv1 as string);
    await expect.poll(async () => Number(await page.getByTestId('histogram-weights').locator('svg').getAttribute('data-samples', { timeout: 1000 }).catch(() => '0')), { timeout: 150_000 }).toBeGreaterThanOrEqual(3);
    expect(Number(await page.getByTestId('histogram-gradients').locator('svg').getAttribute('data-samples'))).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('histogram-weights').locator('path.ridge').count()).toBeGreaterThanOrEqual(3);
  }, 240_000);

  it("shows the drawn digit's activations", async () => {
    const mnist = get_mnist({ flatten: true });
    const index = 3;
    await page.getByTestId('tab-draw').click();
    await drawDigit(page, (mnist.test.images.data as Float32Array).slice(index * 784, (index + 1) * 784));
    await expect.poll(() => text(page, 'top-class'), { timeout: 15_000 }).toMatch(/^\d$/);
    await page.getByTestId('tab-inspect').click();
    await page.getByTestId('source-drawing').check();
    await expect.poll(() => page.getByTestId('activations-panel').textContent(), { timeout: 15_000 }).toContain('the drawn digit');
    await expect.poll(() => text(page, 'activation-prediction')).toMatch(/^predicted \d \(\d+\.\d %\)$/);
    await expect.poll(() => layer('conv1').getByTestId('layer-maps').locator('canvas').count()).toBe(20);
    expect(await layer('pool2').getByTestId('layer-maps').locator('canvas').count()).toBe(32);
    expect(pageErrors).toEqual([]);
  });

  it('stops the long run; the views keep what they show (screenshots)', async () => {
    await page.getByTestId('tab-train').click();
    await page.getByTestId('stop').click();
    await expect.poll(() => text(page, 'state')).toBe('stopped');
    await page.getByTestId('tab-inspect').click();
    await page.getByTestId('activation-refresh').click();
    await page.getByTestId('histogram-refresh').click();
    await expect.poll(() => layer('conv1').getByTestId('layer-maps').locator('canvas').count(), { timeout: 15_000 }).toBe(20);
    await expect.poll(async () => Number(await page.getByTestId('histogram-weights').locator('svg').getAttribute('data-samples', { timeout: 1000 }).catch(() => '0')), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    await page.getByTestId('activations-panel').screenshot({ path: join(SHOTS, 'activations.png') });
    await page.getByTestId('histograms-panel').screenshot({ path: join(SHOTS, 'histograms.png') });
    expect(pageErrors).toEqual([]);
  });
});
