#!/usr/bin/env node
// `npm start`: builds the app, then opens the Electron desktop app where the Electron binary and a
// display exist; otherwise says why and starts the web host (the same renderer and typed API over a
// WebSocket on 127.0.0.1), printing its URL. `--web` forces the web host.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  const pathFile = path.join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) || process.platform === 'win32' || process.platform === 'darwin';
const binary = electronBinary();
const why = args.includes('--web') ? 'web host requested (--web)'
  : binary === null ? 'the Electron binary is not installed (node_modules/electron/dist is missing)'
  : !hasDisplay ? 'no display was found (DISPLAY/WAYLAND_DISPLAY unset)'
  : null;

run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
if (why === null) {
  run(binary, [path.join(root, 'out', 'main', 'index.js')]);
  process.exit(0);
}
console.log(`tinyflow studio: ${why}; starting the web host instead.`);
run(process.execPath, [path.join(root, 'out', 'main', 'web-host.js'), ...args.filter((a) => a !== '--web')]);
