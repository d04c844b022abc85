#!/usr/bin/env node
// `npm start`: opens the desktop app where it can run; where it cannot (no app build yet, no display,
// no Electron binary), trains the seed model headlessly with the CLI instead, saying why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hasApp = existsSync(path.join(root, 'electron.vite.config.ts'));
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) || process.platform === 'win32' || process.platform === 'darwin';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, shell: process.platform === 'win32' });
  process.exit(r.status ?? 1);
}

if (hasApp && hasDisplay) run('npx', ['electron-vite', 'dev']);
const why = !hasApp ? 'the desktop app is not part of this build yet' : 'no display was found';
console.log(`tinyflow studio: ${why}; training the seed model headlessly instead (tinyflow train).\n`);
run(process.execPath, [path.join(root, 'bin', 'tinyflow.mjs'), 'train', ...process.argv.slice(2)]);
