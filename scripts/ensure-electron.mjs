#!/usr/bin/env node
/**
 * Fetches Electron's binary during `npm install` (run from the `prepare` script), where it can be
 * downloaded, and never fails the install where it cannot.
 *
 * Why not Electron's own install script: it exits 1 when the download fails (offline, a proxy), which
 * fails the whole `npm install`, so package.json keeps `allowScripts.electron: false` and this script
 * runs the same installer (`node_modules/electron/install.js`) and reports a failure instead of
 * passing it on. `npm start` then opens the web host and prints the command below.
 *
 *   node scripts/ensure-electron.mjs           fetch if missing (what `prepare` runs); never fails
 *   node scripts/ensure-electron.mjs --fetch   fetch now, even with ELECTRON_SKIP_BINARY_DOWNLOAD set;
 *                                              exits 1 when the download fails
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Electron's variable that makes its installer exit without downloading (CI sets it). */
export const SKIP_VARIABLE = 'ELECTRON_SKIP_BINARY_DOWNLOAD';

/**
 * The Electron executable `npm start` would run, or null when it is not installed. Mirrors
 * node_modules/electron/index.js, ELECTRON_OVERRIDE_DIST_PATH included, without throwing.
 */
export function electronBinary(root = ROOT, env = process.env) {
  const packageDir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? path.join(override, relative ?? 'electron') : relative === null ? null : path.join(packageDir, 'dist', relative);
  return binary !== null && existsSync(binary) ? binary : null;
}

/**
 * The exact command, run from the project folder, that fetches Electron's binary into
 * node_modules/electron/dist: Electron's installer itself, unless ELECTRON_SKIP_BINARY_DOWNLOAD is set
 * (then the installer does nothing), where it is this script's --fetch, which clears the variable for
 * the installer in any shell.
 */
export function fetchCommand(env = process.env) {
  return env[SKIP_VARIABLE] ? 'node scripts/ensure-electron.mjs --fetch' : 'node node_modules/electron/install.js';
}

/**
 * What `prepare` should do here: nothing when packing or publishing (prepare runs there too) or
 * when Electron is not installed at all (`npm install --omit=dev`), report when the download is
 * switched off, else fetch.
 */
export function installPlan({ root = ROOT, env = process.env } = {}) {
  if (env.npm_command === 'pack' || env.npm_command === 'publish') return { action: 'none', why: `npm ${env.npm_command}` };
  if (!existsSync(path.join(root, 'node_modules', 'electron', 'install.js'))) return { action: 'none', why: 'electron is not installed (dev dependencies omitted)' };
  if (electronBinary(root, env) !== null) return { action: 'none', why: 'the Electron binary is already installed' };
  if (env[SKIP_VARIABLE]) return { action: 'skip', why: `${SKIP_VARIABLE} is set` };
  return { action: 'fetch', why: 'the Electron binary is not installed' };
}

/** The lines printed when the binary is not there after install, saying how to get it. */
export function notFetchedMessage(why, env = process.env) {
  return [
    `tinyflow studio: Electron's binary was not fetched (${why}); \`npm start\` will open the studio in your browser (the web host).`,
    `  For the desktop app, fetch it once (about 100 MB) with:  ${fetchCommand(env)}`,
  ].join('\n');
}

/** Runs Electron's installer with the skip variable cleared; null when it worked, else why not. */
function runInstaller() {
  const env = { ...process.env };
  delete env[SKIP_VARIABLE];
  console.log('tinyflow studio: fetching the Electron binary (node node_modules/electron/install.js)...');
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'electron', 'install.js')], { cwd: ROOT, env, stdio: 'inherit' });
  if (result.status === 0 && electronBinary(ROOT, env) !== null) return null;
  const how = result.error ? result.error.message : result.signal ? `signal ${result.signal}` : `exit ${result.status}`;
  return `the download failed: ${how}; offline or behind a proxy?`;
}

function main() {
  if (process.argv.includes('--fetch')) {
    if (!existsSync(path.join(ROOT, 'node_modules', 'electron', 'install.js'))) {
      console.error('tinyflow studio: node_modules/electron is missing; run `npm install` first');
      process.exit(1);
    }
    const failed = runInstaller();
    if (failed !== null) {
      console.error(`tinyflow studio: ${failed}`);
      process.exit(1);
    }
    console.log(`tinyflow studio: Electron is installed (${electronBinary()}); \`npm start\` opens the desktop app.`);
    return;
  }
  const plan = installPlan();
  if (plan.action === 'none') return;
  const failed = plan.action === 'skip' ? plan.why : runInstaller();
  // Never fail the install: without Electron the studio still runs as the web host.
  if (failed !== null) console.warn(notFetchedMessage(failed));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
