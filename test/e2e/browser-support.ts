/** Shared e2e plumbing: build once, start the built web host, launch Debian's headless Chromium. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function buildApp(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * Starts `node out/main/web-host.js` on a free port and resolves to its token URL; its user-data
 * directory (checkpoints, autosave, recent files) is a fresh temp folder, never the user's own.
 */
export function startWebHost(options: { home?: string } = {}): Promise<{ url: string; child: ChildProcess; home: string }> {
  // A given home: a restarted host finds what the previous one saved there (autosave, checkpoints).
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'tinyflow-e2e-home-'));
  const env = { ...process.env, TINYFLOW_STUDIO_HOME: home };
  const child = spawn(process.execPath, [join(ROOT, 'out/main/web-host.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolveUrl, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\w+/);
      if (m) resolveUrl({ url: m[0], child, home });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}: ${out}`)));
  });
}

export function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'tinyflow-e2e-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
}

export const chromiumMissing = !existsSync(CHROMIUM);

/** Draws a 28×28 digit on the pad as horizontal mouse strokes, one per run of ink in each pixel row. */
export async function drawDigit(page: Page, pixels: Float32Array): Promise<void> {
  const box = (await page.getByTestId('drawpad').boundingBox())!;
  const cell = box.width / 28;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (pixels[y * 28 + x] < 0.5) continue;
      let end = x;
      while (end + 1 < 28 && pixels[y * 28 + end + 1] >= 0.5) end++;
      const cy = box.y + (y + 0.5) * cell;
      await page.mouse.move(box.x + (x + 0.5) * cell, cy);
      await page.mouse.down();
      await page.mouse.move(box.x + (end + 0.5) * cell, cy, { steps: 2 });
      await page.mouse.up();
      x = end;
    }
  }
}
