/**
 * bin/tinyflow.mjs chooses what to run: the built CLI (dist/) in an installed package or a checkout
 * whose build is current, the TypeScript sources through tsx in a checkout without one or with a
 * stale one (running yesterday's build after editing a source would be a silent surprise).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
let root: string;

function write(path: string, text: string, secondsAgo: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(full, t, t);
}

/** What the bin ran: each stand-in entry prints which one it is and its arguments. */
async function tinyflow(...args: string[]): Promise<string> {
  return (await run(process.execPath, [join(root, 'bin/tinyflow.mjs'), ...args], { timeout: 60_000 })).stdout.trim();
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tinyflow-bin-'));
  cpSync(join(REPO, 'bin/tinyflow.mjs'), join(root, 'bin/tinyflow.mjs'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const DIST_ENTRY = "console.log('dist ' + process.argv.slice(2).join(' '));\n";
// Type-only syntax, so only tsx (not plain node) can run it.
const SOURCE_ENTRY = "const args: string[] = process.argv.slice(2);\nconsole.log('sources ' + args.join(' '));\n";

describe('bin/tinyflow.mjs', () => {
  it('an installed package (dist/ and no sources) runs dist/', async () => {
    write('dist/cli/main.js', DIST_ENTRY, 10);
    expect(await tinyflow('info', '--json')).toBe('dist info --json');
  });

  it('a checkout runs dist/ while it is newer than every source, the sources through tsx once one is newer', async () => {
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    write('package.json', '{ "type": "module" }', 100);
    write('src-cli/main.ts', SOURCE_ENTRY, 100);
    write('src-core/deep/op.ts', '', 100);
    write('dist/cli/main.js', DIST_ENTRY, 50);
    expect(await tinyflow('train')).toBe('dist train');
    write('src-core/deep/op.ts', '// edited', 10);
    expect(await tinyflow('train')).toBe('sources train');
    rmSync(join(root, 'dist'), { recursive: true });
    expect(await tinyflow('--version')).toBe('sources --version');
  });

  it('neither: says so and exits 1', async () => {
    await expect(tinyflow()).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/has neither its build .* nor its sources/) });
  });
});
