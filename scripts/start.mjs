#!/usr/bin/env node
// `npm start`: builds the app, then opens the Electron desktop app where the Electron binary and a
// display exist; otherwise says why (and, when the binary is missing, the exact command that fetches
// it) and starts the web host (the same renderer and typed API over a WebSocket on 127.0.0.1),
// printing its URL. `--web` forces the web host; `--dry-run` prints the decision and runs nothing.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, fetchCommand, ROOT } from './ensure-electron.mjs';

/** Whether a window can open: Linux needs an X11 or Wayland display; Windows and macOS always have one. */
export function hasDisplay(env = process.env, platform = process.platform) {
  return platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * What `npm start` does: `electron` (binary, display, no --web) or `web`, the reason for the web host
 * and, when the binary is missing, the command that fetches it. The commands are what it will run.
 */
export function planStart({ args = [], binary, display, env = process.env, root = ROOT }) {
  const build = [process.execPath, path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'];
  const hostArgs = args.filter((a) => a !== '--web' && a !== '--dry-run');
  const web = (why, fetch = null) => ({ mode: 'web', why, fetch, commands: [build, [process.execPath, path.join(root, 'out', 'main', 'web-host.js'), ...hostArgs]] });
  if (args.includes('--web')) return web('web host requested (--web)');
  if (binary === null) return web('the Electron binary is not installed (node_modules/electron/dist is missing)', fetchCommand(env));
  if (!display) return web('no display was found (DISPLAY/WAYLAND_DISPLAY unset)');
  return { mode: 'electron', why: null, fetch: null, commands: [build, [binary, path.join(root, 'out', 'main', 'index.js')]] };
}

/** The lines printed before the web host starts. */
export function fallbackMessage(plan) {
  const lines = [`tinyflow studio: ${plan.why}; starting the web host instead.`];
  if (plan.fetch !== null) lines.push(`  For the desktop app, fetch Electron once (about 100 MB), then run npm start again:  ${plan.fetch}`);
  return lines.join('\n');
}

function run([cmd, ...cmdArgs]) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function main() {
  const args = process.argv.slice(2);
  const plan = planStart({ args, binary: electronBinary(), display: hasDisplay() });
  if (plan.mode === 'web') console.log(fallbackMessage(plan));
  if (args.includes('--dry-run')) {
    console.log(JSON.stringify({ mode: plan.mode, fetch: plan.fetch, commands: plan.commands }));
    return;
  }
  for (const command of plan.commands) run(command);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
