/**
 * electron-builder.yml, loaded and validated by electron-builder's own code (app-builder-lib's
 * getConfig and validateConfiguration: its JSON schema and its deprecation checks), offline; the
 * choices the desktop app depends on; the icon; and package.json's app fields beside the library's.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger } from 'builder-util';
import pngjs from 'pngjs';
import afterPack from '../../scripts/electron-fuses.mjs';
import { ICON_SIZES, iconPath, renderIcon } from '../../scripts/render-icon.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string; exports: Record<string, unknown>; scripts: Record<string, string>; allowScripts: Record<string, boolean>;
};

async function loadConfig(): Promise<Configuration> {
  return getConfig(ROOT, null, null);
}

function targets(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own validation (its schema, offline)", async () => {
    await expect(validateConfiguration(await loadConfig(), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('a misspelt option fails that validation, naming it', async () => {
    const config = { ...(await loadConfig()), asarUnpak: ['out/main/*.wasm'] } as Configuration;
    await expect(validateConfiguration(config, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });

  it('makes tinyflow studio: AppImage and deb on Linux, NSIS on Windows, dmg on macOS, into release/ (dist/ is the library)', async () => {
    const config = await loadConfig();
    expect(config.productName).toBe('tinyflow studio');
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(targets(config.linux?.target).sort()).toEqual(['AppImage', 'deb']);
    expect(targets(config.win?.target)).toEqual(['nsis']);
    expect(targets(config.mac?.target)).toEqual(['dmg']);
    expect(config.directories?.output).toMatch(/^release\//);
  });

  it('packs the build, the digits and the wasm kernels (unpacked), and runs the fuses script after packing', async () => {
    const config = await loadConfig();
    const files = (config.files as { filter?: string[] }[]).flatMap((set) => set.filter ?? []);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'out/main/**', 'out/preload/**', 'out/renderer/**', 'resources/mnist/*.gz']));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['out/main/*.wasm', 'resources/mnist/**']));
    expect(config.afterPack).toBe('./scripts/electron-fuses.mjs');
    expect(typeof afterPack).toBe('function');
  });

  it('points every platform at an icon that exists: a 512 px PNG (Windows and macOS derive .ico/.icns from it), a folder of sizes for Linux', async () => {
    const config = await loadConfig();
    expect(config.win?.icon).toBe('resources/icons/512x512.png');
    expect(config.mac?.icon).toBe('resources/icons/512x512.png');
    expect(config.linux?.icon).toBe('resources/icons');
    for (const size of ICON_SIZES) {
      const png = pngjs.PNG.sync.read(readFileSync(iconPath(size)));
      expect([png.width, png.height]).toEqual([size, size]);
    }
  });

  it('the committed 256 px icon is what scripts/render-icon.mjs draws', () => {
    expect(renderIcon(256).equals(readFileSync(iconPath(256)))).toBe(true);
  });
});

describe("package.json's app fields", () => {
  it("main is electron-vite's main entry (npm run dev), while the library keeps resolving through exports", () => {
    expect(pkg.main).toBe('./out/main/index.js');
    expect(pkg.exports['.']).toMatchObject({ import: './dist/core/index.js' });
  });

  it("npm run dist builds then packs; prepare fetches Electron; Electron's own install script stays off (it fails offline installs)", () => {
    expect(pkg.scripts.dist).toBe('electron-vite build && electron-builder');
    expect(pkg.scripts.prepare).toContain('node scripts/ensure-electron.mjs');
    expect(pkg.allowScripts.electron).toBe(false);
  });
});
