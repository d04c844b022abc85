/**
 * `npm install` and `npm start` without Electron's binary: the install step (prepare) never fails and
 * says how to fetch it; `npm start` prints the exact fetch command and falls back to the web host.
 * Nothing here downloads: the one run of Electron's real installer points its mirror at a closed
 * local port, so it fails at once, as it does offline.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { electronBinary, fetchCommand, installPlan, notFetchedMessage } from '../../scripts/ensure-electron.mjs';
import { fallbackMessage, hasDisplay, planStart } from '../../scripts/start.mjs';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const INSTALLER = 'node node_modules/electron/install.js';

/** A project folder with node_modules/electron as npm leaves it: installer present, binary only if asked. */
function fakeProject(withBinary: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'tinyflow-start-'));
  const electron = join(root, 'node_modules/electron');
  mkdirSync(join(electron, 'dist'), { recursive: true });
  writeFileSync(join(electron, 'install.js'), '');
  if (withBinary) {
    writeFileSync(join(electron, 'path.txt'), 'electron');
    writeFileSync(join(electron, 'dist/electron'), '');
  }
  return root;
}

/** An empty folder for ELECTRON_OVERRIDE_DIST_PATH: "the binary is not installed", whatever this machine has. */
function noElectron(): string {
  return mkdtempSync(join(tmpdir(), 'tinyflow-no-electron-'));
}

describe('npm start: desktop app or web host', () => {
  it('without the binary: the web host, and the exact command that fetches Electron', () => {
    const plan = planStart({ args: [], binary: null, display: true, env: {}, root: '/r' });
    expect(plan.mode).toBe('web');
    expect(plan.fetch).toBe(INSTALLER);
    expect(plan.commands.map((c) => c.slice(1))).toEqual([['/r/node_modules/electron-vite/bin/electron-vite.js', 'build'], ['/r/out/main/web-host.js']]);
    expect(fallbackMessage(plan).split('\n')).toEqual([
      'tinyflow studio: the Electron binary is not installed (node_modules/electron/dist is missing); starting the web host instead.',
      `  For the desktop app, fetch Electron once (about 100 MB), then run npm start again:  ${INSTALLER}`,
    ]);
  });

  it('with ELECTRON_SKIP_BINARY_DOWNLOAD set (where Electron\'s installer does nothing) the command is one that clears it', () => {
    expect(fetchCommand({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })).toBe('node scripts/ensure-electron.mjs --fetch');
    expect(planStart({ binary: null, display: true, env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } }).fetch).toBe('node scripts/ensure-electron.mjs --fetch');
  });

  it('with the binary and a display: Electron on out/main/index.js; without a display or with --web: the web host, no fetch hint', () => {
    const desktop = planStart({ binary: '/e/electron', display: true, root: '/r' });
    expect(desktop).toMatchObject({ mode: 'electron', why: null, fetch: null });
    expect(desktop.commands[1]).toEqual(['/e/electron', '/r/out/main/index.js']);
    expect(planStart({ binary: '/e/electron', display: false })).toMatchObject({ mode: 'web', fetch: null, why: expect.stringMatching(/no display/) });
    const web = planStart({ args: ['--web', '--port', '5000'], binary: '/e/electron', display: true, root: '/r' });
    expect(web).toMatchObject({ mode: 'web', fetch: null, why: 'web host requested (--web)' });
    expect(web.commands[1]!.slice(1)).toEqual(['/r/out/main/web-host.js', '--port', '5000']);
  });

  it('a display: X11 or Wayland on Linux; always on Windows and macOS', () => {
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'win32')).toBe(true);
    expect(hasDisplay({}, 'darwin')).toBe(true);
  });

  it('finds the binary as electron/index.js does (path.txt under dist/, or ELECTRON_OVERRIDE_DIST_PATH)', () => {
    const installed = fakeProject(true);
    expect(electronBinary(installed, {})).toBe(join(installed, 'node_modules/electron/dist/electron'));
    expect(electronBinary(fakeProject(false), {})).toBeNull();
    expect(electronBinary(installed, { ELECTRON_OVERRIDE_DIST_PATH: noElectron() })).toBeNull();
  });

  it('the real script, binary absent: prints why, the fetch command, and runs the build then the web host', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--dry-run'], {
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: noElectron(), ELECTRON_SKIP_BINARY_DOWNLOAD: '', DISPLAY: ':0' }, timeout: 30_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'tinyflow studio: the Electron binary is not installed (node_modules/electron/dist is missing); starting the web host instead.',
      `  For the desktop app, fetch Electron once (about 100 MB), then run npm start again:  ${INSTALLER}`,
    ]);
    const plan = JSON.parse(lines[2]!) as { mode: string; commands: string[][] };
    expect(plan.mode).toBe('web');
    expect(plan.commands).toEqual([
      [process.execPath, join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      [process.execPath, join(ROOT, 'out/main/web-host.js')],
    ]);
  });
});

describe('npm install (prepare): fetch Electron where it can, never fail where it cannot', () => {
  it('does nothing while packing or publishing, or when Electron is not installed at all', () => {
    expect(installPlan({ root: fakeProject(false), env: { npm_command: 'pack' } }).action).toBe('none');
    expect(installPlan({ root: fakeProject(false), env: { npm_command: 'publish' } }).action).toBe('none');
    expect(installPlan({ root: mkdtempSync(join(tmpdir(), 'tinyflow-omit-dev-')), env: {} }).action).toBe('none');
    expect(installPlan({ root: fakeProject(true), env: {} }).action).toBe('none');
  });

  it('fetches when the binary is missing, and only reports when ELECTRON_SKIP_BINARY_DOWNLOAD is set', () => {
    expect(installPlan({ root: fakeProject(false), env: { npm_command: 'install' } })).toEqual({ action: 'fetch', why: 'the Electron binary is not installed' });
    expect(installPlan({ root: fakeProject(false), env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } })).toEqual({ action: 'skip', why: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' });
    expect(notFetchedMessage('ELECTRON_SKIP_BINARY_DOWNLOAD is set', { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })).toContain('fetch it once (about 100 MB) with:  node scripts/ensure-electron.mjs --fetch');
  });

  it('as CI runs it (ELECTRON_SKIP_BINARY_DOWNLOAD=1): exits 0 and says how to fetch', async () => {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'scripts/ensure-electron.mjs')], {
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ELECTRON_OVERRIDE_DIST_PATH: noElectron(), npm_command: 'ci' }, timeout: 30_000,
    });
    expect(stdout + stderr).toContain("Electron's binary was not fetched (ELECTRON_SKIP_BINARY_DOWNLOAD is set)");
    expect(stdout + stderr).toContain('node scripts/ensure-electron.mjs --fetch');
  });

  it("where the download fails (Electron's real installer, its mirror a closed local port): exits 0 and prints the installer command", async () => {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'scripts/ensure-electron.mjs')], {
      env: {
        ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '', ELECTRON_OVERRIDE_DIST_PATH: noElectron(), npm_command: 'install',
        ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: noElectron(),
      },
      timeout: 60_000,
    });
    expect(stdout + stderr).toMatch(/Electron's binary was not fetched \(the download failed: exit 1; offline or behind a proxy\?\)/);
    expect(stdout + stderr).toContain(`fetch it once (about 100 MB) with:  ${INSTALLER}`);
  });

  it('--fetch reports a failed download as a failure (exit 1): the user asked for it', async () => {
    await expect(run(process.execPath, [join(ROOT, 'scripts/ensure-electron.mjs'), '--fetch'], {
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ELECTRON_OVERRIDE_DIST_PATH: noElectron(), ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: noElectron() },
      timeout: 60_000,
    })).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/the download failed: exit 1/) });
  });
});
