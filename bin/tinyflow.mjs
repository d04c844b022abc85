#!/usr/bin/env node
// The `tinyflow` command. An installed package runs its built JavaScript (dist/). A checkout runs the
// TypeScript sources through tsx's loader, so `npx tinyflow ...` needs no build step, unless
// `npm run build:lib` has made a dist/ at least as new as every source it is built from.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = new URL('../dist/cli/main.js', import.meta.url);
const sources = new URL('../src-cli/main.ts', import.meta.url);
// Everything the CLI bundle is built from: the CLI reads checkpoint metadata through src-main and src-app-api too.
const SOURCE_DIRS = ['src-core', 'backends', 'src-cli', 'src-main', 'src-app-api', 'bench'];

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** A checkout whose dist/ is older than a source file would run stale code: prefer the sources there. */
function distIsCurrent() {
  if (!existsSync(built)) return false;
  if (!existsSync(sources)) return true;
  const builtAt = statSync(built).mtimeMs;
  return SOURCE_DIRS.every((d) => !existsSync(`${root}${d}`) || newestMtime(`${root}${d}`) <= builtAt);
}

if (distIsCurrent()) {
  await import(built.href);
} else if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  console.error(`tinyflow: this package has neither its build (${fileURLToPath(built)}) nor its sources; reinstall it, or run 'npm run build:lib' in a checkout`);
  process.exitCode = 1;
}
