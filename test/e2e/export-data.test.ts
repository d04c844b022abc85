/**
 * Issue 15 in headless Chromium against the built web host: Export ONNX… in the Train view's checkpoint
 * panel (an error in words before any session, a bad name refused, then the running session's model
 * written to `<home>/exports/<name>.onnx`, a file onnxruntime loads), and the data preview of a
 * generated PNG class folder (kind, classes, split sizes, sample grid, no class-count warning), a missing
 * folder named in words on the field, and Fashion-MNIST offered when it is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import * as ort from 'onnxruntime-node';
import { squareOnBlack, writePng } from '../../src-core/datasets/image-fixtures';
import { detectDataSources } from '../../src-core/datasets/load-data-dir';
import { buildApp, chromiumMissing, CHROMIUM, launchChromium, startWebHost } from './browser-support';

if (chromiumMissing) console.warn(`e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const text = async (page: Page, id: string): Promise<string> => (await page.getByTestId(id).textContent()) ?? '';

describe.skipIf(chromiumMissing)('studio in Chromium: export and data', () => {
  let host: ChildProcess;
  let home: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    buildApp();
    let url: string;
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

  it('Export ONNX…: says what is missing, refuses a path as a name, then writes the running model into exports/', async () => {
    await page.getByTestId('export-onnx').click();
    await expect.poll(() => text(page, 'export-onnx-error'), { timeout: 15_000 }).toContain('no model is loaded; start training or open a checkpoint first');

    await page.getByTestId('model').selectOption('softmax');
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('start').click();
    await expect.poll(() => text(page, 'state'), { timeout: 30_000 }).toMatch(/running|finished/);

    await page.getByTestId('checkpoint-name').fill('../escape');
    await page.getByTestId('export-onnx').click();
    await expect.poll(() => text(page, 'export-onnx-error'), { timeout: 15_000 }).toContain('a checkpoint name is 1-64 letters');
    expect(existsSync(join(home, 'escape.onnx'))).toBe(false);

    await page.getByTestId('checkpoint-name').fill('digits');
    await page.getByTestId('export-onnx').click();
    const path = join(home, 'exports', 'digits.onnx');
    await expect.poll(() => text(page, 'export-onnx-message'), { timeout: 30_000 }).toContain(`to ${path}`);
    expect(await page.getByTestId('export-onnx-error').count()).toBe(0);
    const session = await ort.InferenceSession.create(readFileSync(path));
    expect(session.outputNames).toEqual(expect.arrayContaining(['logits', 'probabilities']));
    await session.release();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('data preview: a PNG class folder shows its kind, classes, splits and samples; a missing folder is named on the field', async () => {
    // The export's one-epoch run may have finished already (a quiet machine takes well under a second):
    // Stop is only there to click while it still runs, and may be disabled by the time it is clicked.
    if (/running|paused/.test(await text(page, 'state'))) await page.getByTestId('stop').click({ timeout: 5_000 }).catch(() => undefined);
    await expect.poll(() => text(page, 'state'), { timeout: 15_000 }).toMatch(/stopped|finished/);
    const dir = mkdtempSync(join(tmpdir(), 'e2e-images-'));
    for (const [c, label] of ['circle', 'square', 'line'].entries()) {
      for (let i = 0; i < 10; i++) writePng(join(dir, label, `${i}.png`), 24, 24, squareOnBlack(24, 24, c * 2 - 2));
    }
    const fashion = detectDataSources().find((d) => d.id === 'fashion-mnist');
    expect(await page.getByTestId('dataset-fashion-mnist').count()).toBe(fashion ? 1 : 0);

    await page.getByTestId('dataset').selectOption('folder');
    await page.getByTestId('data-dir').fill(dir);
    await expect.poll(() => text(page, 'data-preview-kind'), { timeout: 15_000 }).toBe('image class folders');
    expect(await text(page, 'data-preview-split')).toBe('27 training, 3 test examples');
    const classes = await page.getByTestId('data-preview-classes').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim()).join('|')));
    expect(classes).toEqual(['circle|9|1', 'line|9|1', 'square|9|1']);
    expect(await page.getByTestId('data-preview-samples').locator('canvas').count()).toBe(12);
    // Any class count trains in the app now: no warning about it.
    expect(await page.getByTestId('data-preview-classes-warning').count()).toBe(0);
    // The sample canvases hold the images: some white ink on black.
    const ink = await page.getByTestId('data-preview-samples').locator('canvas').first().evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 200) n++;
      return n;
    });
    expect(ink).toBeGreaterThan(20);

    await page.getByTestId('data-dir').fill(join(dir, 'nope'));
    await expect.poll(() => text(page, 'data-preview-error'), { timeout: 15_000 }).toContain('nope');
    expect(await page.getByTestId('data-preview').count()).toBe(0);
    expect(await page.getByTestId('data-dir').getAttribute('aria-invalid')).toBe('true');

    if (fashion) {
      await page.getByTestId('dataset').selectOption('source:fashion-mnist');
      await expect.poll(() => text(page, 'data-preview-kind'), { timeout: 30_000 }).toBe('IDX files');
      expect(await page.getByTestId('data-preview-classes').locator('tbody tr').count()).toBe(10);
      expect(await page.getByTestId('data-preview-classes-warning').count()).toBe(0);
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
