/**
 * Line counts of the framework, per folder (tinygrad-style): keeps an eye on the size of the core.
 * Run: npm run loc
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOTS = ['src-core', 'backends', 'src-cli', 'src-main', 'src-preload', 'src-renderer', 'src-app-api'];
const SOURCE = /\.(ts|vue|c|h)$/;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (SOURCE.test(name)) out.push(full);
  }
}

const rows: [string, number, number][] = [];
for (const root of ROOTS) {
  const files: string[] = [];
  try {
    walk(root, files);
  } catch {
    continue;
  }
  const byFolder = new Map<string, [number, number]>();
  for (const f of files) {
    const isTest = /\.test\.ts$/.test(f);
    const lines = readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '' && !/^\s*(\/\/|\*|\/\*)/.test(l)).length;
    const key = path.dirname(f);
    const [code, tests] = byFolder.get(key) ?? [0, 0];
    byFolder.set(key, isTest ? [code, tests + lines] : [code + lines, tests]);
  }
  for (const [folder, [code, tests]] of [...byFolder].sort()) rows.push([folder, code, tests]);
}
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${'folder'.padEnd(width)}  ${'code'.padStart(7)}  ${'tests'.padStart(7)}`);
for (const [folder, code, tests] of rows) console.log(`${folder.padEnd(width)}  ${String(code).padStart(7)}  ${String(tests).padStart(7)}`);
const total = rows.reduce((acc, r) => [acc[0] + r[1], acc[1] + r[2]], [0, 0]);
console.log(`${'total'.padEnd(width)}  ${String(total[0]).padStart(7)}  ${String(total[1]).padStart(7)}`);
