/**
 * Issue 15.1 in headless Chromium against the built web host: build a conv net in the layer editor
 * (shapes and parameter counts update as it is edited), make a field error and a shape error (shown on
 * that layer, Start disabled with the reason), fix them, train it and watch the accuracy rise, save a
 * checkpoint, reload, open it (the editor and the code show the same model); Save model… downloads it and
 * Open model… brings it back; open a .ts model file (its variables shown, it trains) and one that throws
 * (its error shown, Start disabled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { parseLayerModel } from '../../src-core/models/user-model';
import { buildApp, chromiumMissing, CHROMIUM, launchChromium, ROOT, startWebHost } from './browser-support';

if (chromiumMissing) console.warn(`e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const text = async (page: Page, id: string): Promise<string> => (await page.getByTestId(id).textContent()) ?? '';
const accuracy = async (page: Page): Promise<number> => Number.parseFloat(await text(page, 'accuracy')) || 0;

describe.skipIf(chromiumMissing)('studio in Chromium: your own model', () => {
  let host: ChildProcess;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let savedModel = '';

  beforeAll(async () => {
    buildApp();
    let url: string;
    ({ url, child: host } = await startWebHost());
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.getByTestId('start').and(page.locator(':enabled')).waitFor({ timeout: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    host?.kill();
  });

  it('builds a conv net in the editor, shows a shape error on its layer, trains it and the accuracy rises', async () => {
    await page.getByTestId('model').selectOption('__layers__');
    await page.getByTestId('preset-blank').click();
    expect(await text(page, 'model-problem')).toContain('no layers');
    for (const kind of ['conv2d', 'max_pool', 'flatten', 'dense']) await page.getByTestId(`add-${kind}`).click();
    await page.getByTestId('layer-0-filters').fill('8');
    await page.getByTestId('layer-0-kernel').fill('5');
    await page.getByTestId('layer-3-activation').selectOption('none');
    expect(await text(page, 'layer-0-shape')).toBe('28 × 28 × 8');
    expect(await text(page, 'layer-0-params')).toBe('208');
    expect(await text(page, 'layer-1-shape')).toBe('14 × 14 × 8');
    expect(await text(page, 'layer-2-shape')).toBe('1568');
    expect(await text(page, 'layer-3-params')).toBe('15,690');
    expect(await text(page, 'total-params')).toBe('15,898');
    expect(await page.getByTestId('start').isEnabled()).toBe(true);

    // A field out of range names its field and range; then a window that no longer fits names its layer.
    await page.getByTestId('layer-0-filters').fill('9999');
    expect(await text(page, 'layer-0-error')).toBe('Filters must be a whole number between 1 and 512');
    expect(await page.getByTestId('start').isDisabled()).toBe(true);
    await page.getByTestId('layer-0-filters').fill('8');
    await page.getByTestId('layer-0-kernel').fill('11');
    await page.getByTestId('layer-0-stride').fill('4');
    await page.getByTestId('layer-0-padding').selectOption('valid');
    await page.getByTestId('layer-1-size').fill('8');
    expect(await text(page, 'layer-0-shape')).toBe('5 × 5 × 8');
    expect(await text(page, 'layer-1-error')).toBe("layer 2 (max_pool 8): the input is 5×5, smaller than the 8×8 window (padding 'valid'); use padding 'same' or a smaller window");
    expect(await text(page, 'layer-2-shape')).toBe('–');
    expect(await page.getByTestId('start').isDisabled()).toBe(true);
    expect(await text(page, 'start-blocked')).toContain('layer 2 (max_pool 8)');

    // Fixed: the same conv net as before.
    await page.getByTestId('layer-0-kernel').fill('5');
    await page.getByTestId('layer-0-stride').fill('1');
    await page.getByTestId('layer-0-padding').selectOption('same');
    await page.getByTestId('layer-1-size').fill('2');
    await page.getByTestId('layer-model-name').fill('e2e-conv');
    expect(await text(page, 'total-params')).toBe('15,898');
    expect(await page.getByTestId('layer-1-error').count()).toBe(0);
    await page.getByTestId('layer-editor').screenshot({ path: join(ROOT, 'docs/screenshots/layer-editor.png') });

    // Save model… in a browser is a download of NAME.tfmodel.json that parses as the same layer model.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('model-save').click()]);
    expect(download.suggestedFilename()).toBe('e2e-conv.tfmodel.json');
    savedModel = join(mkdtempSync(join(tmpdir(), 'e2e-model-')), 'e2e-conv.tfmodel.json');
    await download.saveAs(savedModel);
    const saved = parseLayerModel(readFileSync(savedModel, 'utf8'), 'e2e-conv.tfmodel.json');
    expect(saved.layers.map((l) => l.type)).toEqual(['conv2d', 'max_pool', 'flatten', 'dense']);
    expect(await text(page, 'model-saved')).toBe('downloaded e2e-conv.tfmodel.json');

    // A long run (1,000 epochs) that is stopped later: the accuracy rises while it trains.
    await page.getByTestId('epochs').fill('1000');
    await page.getByTestId('start').click();
    await expect.poll(() => text(page, 'state'), { timeout: 60_000 }).toBe('running');
    expect(await text(page, 'running-model')).toBe('e2e-conv');
    expect(await text(page, 'code-title')).toContain('The running model (e2e-conv)');
    expect(await text(page, 'model-code')).toContain('export default function model(tf, x, { training })');
    await expect.poll(() => accuracy(page), { timeout: 180_000, interval: 1000 }).toBeGreaterThan(60);
    // Read-only while it runs.
    expect(await page.getByTestId('add-dense').isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('saves a checkpoint; after a reload, opening it brings the same model back into the editor and the code', async () => {
    const code = await text(page, 'model-code');
    await page.getByTestId('checkpoint-name').fill('e2e-conv');
    await page.getByTestId('checkpoint-save').click();
    await expect.poll(() => text(page, 'checkpoint-message'), { timeout: 30_000 }).toMatch(/saved e2e-conv\.safetensors at step \d+/);
    await page.getByTestId('stop').click();
    await expect.poll(() => text(page, 'state'), { timeout: 30_000 }).toBe('stopped');

    await page.reload();
    await expect.poll(() => page.getByTestId('start').isEnabled(), { timeout: 30_000 }).toBe(true);
    // The draft came back from localStorage; now change it, so the checkpoint must be what restores it.
    expect(await text(page, 'total-params')).toBe('15,898');
    await page.getByTestId('preset-softmax').click();
    expect(await text(page, 'total-params')).toBe('7,850');

    await expect.poll(() => page.getByTestId('checkpoint-select').locator('option').count(), { timeout: 15_000 }).toBeGreaterThan(1);
    await page.getByTestId('checkpoint-select').selectOption('e2e-conv');
    await page.getByTestId('checkpoint-open').click();
    await expect.poll(() => text(page, 'restored'), { timeout: 30_000 }).toContain('(e2e-conv.safetensors)');
    await expect.poll(() => text(page, 'total-params'), { timeout: 10_000 }).toBe('15,898');
    expect(await page.getByTestId('layer-table').locator('[data-testid=layer-type]').allTextContents()).toEqual(['conv2d', 'max_pool', 'flatten', 'dense (output)']);
    expect(await page.getByTestId('layer-model-name').inputValue()).toBe('e2e-conv');
    expect(await text(page, 'model-code')).toBe(code);
    expect(await page.getByTestId('model').inputValue()).toBe('__layers__');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('opens a .ts model file: its variables are shown and it trains; a file that throws shows its error', async () => {
    await page.getByTestId('stop').click();
    await expect.poll(() => text(page, 'state'), { timeout: 30_000 }).toBe('stopped');
    await page.getByTestId('model-open-input').setInputFiles(join(ROOT, 'examples/models/my-cnn.ts'));
    await expect.poll(() => page.getByTestId('model-file-summary').isVisible(), { timeout: 60_000 }).toBe(true);
    expect(await page.getByTestId('model').inputValue()).toBe('__file__');
    expect(await text(page, 'model-file-name')).toBe('my-cnn.ts');
    expect(await text(page, 'model-file-summary')).toContain('conv1/W');
    expect(await text(page, 'model-code')).toContain('export default function model(tf: typeof TF');
    await page.getByTestId('layer-editor').screenshot({ path: join(ROOT, 'docs/screenshots/model-file.png') });

    await page.getByTestId('start').click();
    await expect.poll(() => text(page, 'state'), { timeout: 60_000 }).toBe('running');
    expect(await text(page, 'running-model')).toBe('my-cnn.ts');
    const step = async (): Promise<number> => Number((await page.locator('.progress-label').textContent())?.match(/step (\d+)/)?.[1] ?? 0);
    await expect.poll(step, { timeout: 120_000 }).toBeGreaterThan(5);
    await page.getByTestId('stop').click();
    await expect.poll(() => text(page, 'state'), { timeout: 30_000 }).toBe('stopped');

    await page.getByTestId('model-open-input').setInputFiles({ name: 'throws.ts', mimeType: 'text/plain', buffer: Buffer.from('export default function model(): never {\n  throw new Error("not today");\n}\n') });
    await expect.poll(() => text(page, 'model-file-error'), { timeout: 60_000 }).toContain('not today');
    expect(await text(page, 'model-file-error')).toContain('throws.ts');
    expect(await page.getByTestId('start').isDisabled()).toBe(true);
    await page.getByTestId('model-open-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    expect(await text(page, 'model-open-error')).toBe('notes.txt is not a model: Open model… takes a layer model (.tfmodel.json) or a model file (.ts or .js)');

    // The saved layer model opens back into the editor, which the Model select then trains.
    await page.getByTestId('model-open-input').setInputFiles(savedModel);
    await expect.poll(() => page.getByTestId('model').inputValue(), { timeout: 10_000 }).toBe('__layers__');
    expect(await text(page, 'total-params')).toBe('15,898');
    expect(await page.getByTestId('layer-model-name').inputValue()).toBe('e2e-conv');
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
