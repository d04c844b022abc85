/**
 * Issue 15 in headless Chromium against the built web host: Export ONNX… in the Train view's checkpoint
 * panel (an error in words before any session, a bad name refused, then the running session's model
 * written to `<home>/exports/<name>.onnx`, a file onnxruntime loads).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import * as ort from 'onnxruntime-node';
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
});
