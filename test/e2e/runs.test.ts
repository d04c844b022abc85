/**
 * Issue 15.5 and the app's class count in headless Chromium against the built web host: two runs with
 * different learning rates (long runs, stopped) are kept and listed after a reload, overlaid with
 * smoothing and a log scale that change what the charts draw, exported as CSV (the browser's download),
 * renamed and one deleted (its file gone from the home folder); then a 3-class PNG folder trains and
 * the Draw view shows three bars named by its class folders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { squareOnBlack, writePng } from '../../src-core/datasets/image-fixtures';
import { buildApp, chromiumMissing, CHROMIUM, drawDigit, launchChromium, ROOT, startWebHost } from './browser-support';

if (chromiumMissing) console.warn(`e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const text = async (page: Page, id: string): Promise<string> => (await page.getByTestId(id).textContent()) ?? '';
const stepOf = async (page: Page): Promise<number> => Number((await page.locator('.progress-label').textContent())?.match(/step (\d+)/)?.[1] ?? 0);
const attr = async (page: Page, id: string, name: string): Promise<string> => (await page.getByTestId(id).getAttribute(name)) ?? '';
const runNames = (page: Page): Promise<string[]> => page.getByTestId('run-name').allTextContents();

/** Starts a long run on the form's settings and stops it once it has trained `steps` steps. */
async function trainAndStop(page: Page, learningRate: string, steps: number): Promise<void> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('model').selectOption('softmax');
  await page.getByTestId('learning-rate').fill(learningRate);
  await page.getByTestId('batch').fill('50');
  // 1,000 epochs: it cannot finish before it is stopped, however quiet the machine.
  await page.getByTestId('epochs').fill('1000');
  await page.getByTestId('start').click();
  await expect.poll(() => text(page, 'state'), { timeout: 30_000 }).toBe('running');
  await expect.poll(() => stepOf(page), { timeout: 30_000 }).toBeGreaterThan(steps);
  await page.getByTestId('stop').click();
  await expect.poll(() => text(page, 'state'), { timeout: 15_000 }).toBe('stopped');
}

async function setSmoothing(page: Page, value: number): Promise<void> {
  await page.getByTestId('runs-smoothing').evaluate((input: HTMLInputElement, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

describe.skipIf(chromiumMissing)('studio in Chromium: runs and class counts', () => {
  let host: ChildProcess;
  let home: string;
  let url: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    buildApp();
    ({ url, child: host, home } = await startWebHost());
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    host?.kill();
  });

  it('keeps two runs across a reload, overlays them with smoothing and a log scale, exports CSV, renames and deletes', async () => {
    await page.getByTestId('tab-runs').click();
    await expect.poll(() => page.getByTestId('runs-empty').isVisible(), { timeout: 15_000 }).toBe(true);

    await trainAndStop(page, '0.5', 40);
    await trainAndStop(page, '0.05', 40);

    await page.reload();
    await page.getByTestId('tab-runs').click();
    await expect.poll(() => runNames(page), { timeout: 15_000 }).toEqual(['softmax-sgd-lr0.05', 'softmax-sgd-lr0.5']);
    expect(await page.getByTestId('run-state').allTextContents()).toEqual(['stopped', 'stopped']);

    const checks = page.getByTestId('run-check');
    await checks.nth(0).check();
    await checks.nth(1).check();
    await expect.poll(() => attr(page, 'runs-loss-chart', 'data-series'), { timeout: 15_000 }).toBe('2');
    expect(Number(await attr(page, 'runs-loss-chart', 'data-points'))).toBeGreaterThan(80);

    // Smoothing changes the drawn (smoothed) curves; 0 is the raw curve.
    await setSmoothing(page, 0);
    const raw = await attr(page, 'runs-loss-chart', 'data-signature');
    await setSmoothing(page, 0.95);
    expect(await text(page, 'runs-smoothing-value')).toBe('0.95');
    await expect.poll(() => attr(page, 'runs-loss-chart', 'data-signature')).not.toBe(raw);

    // Log scale on the loss chart only, and it says what it leaves out.
    expect(await attr(page, 'runs-loss-chart', 'data-scale')).toBe('linear');
    await page.getByTestId('runs-log-scale').check();
    await expect.poll(() => attr(page, 'runs-loss-chart', 'data-scale')).toBe('logarithmic');
    expect(await attr(page, 'runs-accuracy-chart', 'data-scale')).toBe('linear');
    expect(await text(page, 'runs-log-note')).toContain('only positive loss values can be drawn');

    await page.getByTestId('run-rename').nth(0).click();
    await page.getByTestId('run-name-input').fill('small, "slow"');
    await page.getByTestId('run-name-input').press('Enter');
    await expect.poll(() => runNames(page)).toEqual(['small, "slow"', 'softmax-sgd-lr0.5']);

    await page.screenshot({ path: join(ROOT, 'docs/screenshots/runs.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('runs-export-csv').click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    expect(download.suggestedFilename()).toMatch(/^tinyflow-runs-.*\.csv$/);
    expect(csv[0]).toBe('run,id,model,data,optimizer,lr,batch,backend,step,loss,accuracy,wall_s');
    const rows = csv.slice(1).map((line) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/));
    const small = rows.filter((r) => r[0] === '"small, ""slow"""');
    const big = rows.filter((r) => r[0] === 'softmax-sgd-lr0.5');
    expect(small.length).toBeGreaterThan(40);
    expect(big.length).toBeGreaterThan(40);
    expect(small.length + big.length).toBe(rows.length);
    expect(new Set(small.map((r) => r[5]))).toEqual(new Set(['0.05']));
    expect(new Set(big.map((r) => `${r[2]} ${r[3]} ${r[4]} ${r[6]}`))).toEqual(new Set(['softmax bundled digits sgd 50']));
    // Steps rise, every row has a loss, and wall time never goes back.
    const steps = big.map((r) => Number(r[8]));
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(big.every((r) => Number.isFinite(Number(r[9])) && r[9] !== '')).toBe(true);
    const walls = big.map((r) => Number(r[11]));
    expect(walls).toEqual([...walls].sort((a, b) => a - b));

    // Delete the renamed run: asked first, then gone from the table and from the home folder.
    const runsDir = join(home, 'autosave', 'runs');
    expect(readdirSync(runsDir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
    await checks.nth(1).uncheck();
    await page.getByTestId('runs-delete').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => runNames(page), { timeout: 15_000 }).toEqual(['softmax-sgd-lr0.5']);
    expect(readdirSync(runsDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(await attr(page, 'runs-loss-chart', 'data-series')).toBe('0');
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('trains a 3-class PNG folder, and Draw shows three bars and labels named by its class folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyflow-e2e-three-'));
    for (const [c, label] of ['circle', 'line', 'square'].entries()) {
      for (let i = 0; i < 10; i++) writePng(join(dir, label, `${i}.png`), 24, 24, squareOnBlack(24, 24, c * 3 - 3));
    }
    await page.getByTestId('tab-train').click();
    await page.getByTestId('model').selectOption('softmax');
    await page.getByTestId('dataset').selectOption('folder');
    await page.getByTestId('data-dir').fill(dir);
    // 27 training images: batch 1 and 1,000 epochs make 27,000 steps, which outlast the checks below.
    await page.getByTestId('batch').fill('1');
    await page.getByTestId('epochs').fill('1000');
    await expect.poll(() => text(page, 'data-preview-kind'), { timeout: 15_000 }).toBe('image class folders');
    await page.getByTestId('start').click();
    await expect.poll(() => text(page, 'state'), { timeout: 30_000 }).toMatch(/running|finished/);
    await expect.poll(() => stepOf(page), { timeout: 30_000 }).toBeGreaterThan(20);
    if (await page.getByTestId('stop').isEnabled()) await page.getByTestId('stop').click();
    await expect.poll(() => text(page, 'state'), { timeout: 15_000 }).toMatch(/stopped|finished/);

    await page.getByTestId('tab-draw').click();
    expect(await page.getByTestId('label').locator('option').allTextContents()).toEqual(['circle', 'line', 'square']);
    const square = new Float32Array(784);
    for (let y = 9; y < 19; y++) for (let x = 9; x < 19; x++) square[y * 28 + x] = 1;
    await drawDigit(page, square);
    await expect.poll(() => attr(page, 'class-bars', 'data-bars'), { timeout: 15_000 }).toBe('3');
    expect(JSON.parse(await attr(page, 'class-bars', 'data-labels'))).toEqual(['circle', 'line', 'square']);
    expect(['circle', 'line', 'square']).toContain(await text(page, 'top-class'));

    // The run is kept with its data and class count.
    await page.getByTestId('tab-runs').click();
    await expect.poll(() => page.locator('.run-settings').first().textContent(), { timeout: 15_000 }).toContain(`${resolve(dir)} (3 classes)`);
    expect(existsSync(join(home, 'autosave', 'runs'))).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
