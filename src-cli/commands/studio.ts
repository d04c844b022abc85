/**
 * `tinyflow studio --web`: builds the app when its build is missing or older than the sources, then
 * starts the web host (`node out/main/web-host.js`), forwarding its output and Ctrl-C. The desktop app
 * itself needs Electron's binary, so it stays `npm start`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseNumber, UsageError } from '../usage';

export const STUDIO_USAGE = `tinyflow studio --web [options]
  --web             serve the studio to a browser on 127.0.0.1 (prints the URL to open)
  --port N          the port (default: a free one)
  --rebuild         build the app even when the build looks current
  --json            print {"url": ...} on stdout once the studio is serving (the host's log goes to stderr)`;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** What the built app is made of: a newer file in any of these makes the build stale. */
const SOURCE_DIRS = ['src-main', 'src-renderer', 'src-app-api', 'src-preload', 'src-core', 'backends'];
const OUTPUTS = ['out/main/web-host.js', 'out/main/compute-worker.js', 'out/renderer/index.html'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether `root`'s build is missing or older than its newest source file. */
export function needsBuild(root: string): boolean {
  const outputs = OUTPUTS.map((o) => join(root, o));
  if (!outputs.every((o) => existsSync(o))) return true;
  const built = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  const sources = SOURCE_DIRS.map((d) => join(root, d)).filter((d) => existsSync(d));
  return sources.some((d) => newestMtime(d) > built);
}

/** The web host's line announcing its address (src-main/web/main.ts). */
const SERVING_LINE = /is running at (\S+)/;

/** With --json, stdout carries only the studio's address; everything else the host prints goes to stderr. */
function relayHostOutput(stdout: NodeJS.ReadableStream): void {
  let pending = '';
  stdout.setEncoding('utf8');
  stdout.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const serving = SERVING_LINE.exec(line);
      if (serving) console.log(JSON.stringify({ url: serving[1] }));
      process.stderr.write(`${line}\n`);
    }
  });
}

export async function studioCommand(argv: string[], root: string = ROOT): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      web: { type: 'boolean', default: false }, port: { type: 'string' }, rebuild: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
    },
  });
  if (!values.web) throw new UsageError("studio: only '--web' is available from the CLI; the desktop app starts with 'npm start'");
  const port = values.port === undefined ? 0 : parseNumber('--port', values.port, { integer: true, min: 0 });

  if (values.rebuild || needsBuild(root)) {
    console.error('tinyflow studio: building the app (electron-vite build)...');
    // The build's own log goes to stderr under --json (fd 2), keeping stdout for the result.
    const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: ['inherit', values.json ? 2 : 'inherit', 'inherit'] });
    if (build.status !== 0) {
      console.error(`tinyflow studio: the build failed (exit ${build.status ?? build.signal})`);
      return 1;
    }
  }
  const host = spawn(process.execPath, [join(root, 'out/main/web-host.js'), '--port', String(port)], { cwd: root, stdio: ['inherit', values.json ? 'pipe' : 'inherit', 'inherit'] });
  if (values.json && host.stdout) relayHostOutput(host.stdout);
  // The host shuts its worker down on these signals; pass them on rather than die before it does.
  const forward = (signal: NodeJS.Signals) => () => host.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    host.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 130 : 1));
    });
  });
}
