import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { CheckpointLibrary } from '../checkpoints/library';
import { readMeta } from '../checkpoints/meta';
import { acquireHomeLock, HomeLockedError, LOCK_FILE, pidAlive } from './home-lock';

const ROOT = resolve(import.meta.dirname, '../..');
const home = (): string => mkdtempSync(join(tmpdir(), 'studio-home-'));

/** The pid of a process that has exited (a stale lock's holder). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('the studio home lock', () => {
  it('is held by one host at a time, names the holder, and is free again once released', () => {
    const dir = home();
    const first = acquireHomeLock(dir, 'web');
    first.setUrl('http://127.0.0.1:4321/');
    let refusal: unknown;
    try {
      acquireHomeLock(dir, 'electron');
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(HomeLockedError);
    expect((refusal as Error).message).toBe(
      `another tinyflow studio (web host, pid ${process.pid} at http://127.0.0.1:4321/) is using ${dir}; use that one (open the URL it printed), stop it first, or give this one another home with TINYFLOW_STUDIO_HOME=<folder>`,
    );
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    acquireHomeLock(dir, 'electron').release();
  });

  it('takes over a lock left by a dead process, and one that is unreadable', () => {
    const dir = home();
    const pid = deadPid();
    expect(pidAlive(pid)).toBe(false);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: 'web', url: null, since: '' }));
    const lock = acquireHomeLock(dir, 'web');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: 'web' });
    lock.release();
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 12'); // torn by a crash mid-write
    acquireHomeLock(dir, 'web').release();
  });

  it('does not release a lock another host took over after ours went stale', () => {
    const dir = home();
    const ours = acquireHomeLock(dir, 'web');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: 'web', url: null, since: '' }));
    ours.release();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.ppid });
  });
});

/** `node src-main/web/main.ts` (through tsx) on `studioHome`; resolves once it printed its URL or exited. */
function startHost(studioHome: string, rendererDir: string): { child: ChildProcess; url: Promise<string>; exit: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src-main/web/main.ts'), '--renderer', rendererDir], {
    cwd: ROOT,
    env: { ...process.env, TINYFLOW_STUDIO_HOME: studioHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolveUrl, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = output.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\w+/);
      if (m) resolveUrl(m[0]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`the host exited before printing its URL:\n${output}`)));
  });
  url.catch(() => undefined);
  const exit = new Promise<{ code: number | null; output: string }>((r) => child.once('exit', (code) => r({ code, output })));
  return { child, url, exit };
}

/** A legitimate page's client: request/response over the API socket. */
async function connectApi(url: string): Promise<{ call: (channel: string, payload: unknown) => Promise<Record<string, unknown>>; close: () => void }> {
  const { port, searchParams } = new URL(url);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${searchParams.get('token')}`, { origin: `http://127.0.0.1:${port}` });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  let id = 0;
  const pending = new Map<number, (m: Record<string, unknown>) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>;
    if (m.kind === 'response') pending.get(m.id as number)?.(m);
  });
  return {
    call: (channel, payload) => new Promise((r) => {
      pending.set(++id, r);
      ws.send(JSON.stringify({ kind: 'request', id, channel, payload }));
    }),
    close: () => ws.close(),
  };
}

describe('two web host processes on one home', () => {
  it('the second says who holds the home and exits 1; SIGTERM autosaves the first, which frees the home; a killed host leaves a lock the next one takes over', async () => {
    const rendererDir = mkdtempSync(join(tmpdir(), 'renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    const dir = home();
    const first = startHost(dir, rendererDir);
    const url = await first.url;

    const second = startHost(dir, rendererDir);
    const refused = await second.exit;
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`another tinyflow studio (web host, pid ${first.child.pid} at http://127.0.0.1:${new URL(url).port}/) is using ${dir}`);

    const api = await connectApi(url);
    expect(await api.call('train:start', { model: 'mlp', backend: 'cpu', dataDir: null, optimizer: 'sgd', learningRate: 0.05, batchSize: 32, epochs: 1, steps: 1_000_000 })).toMatchObject({ ok: true });
    let step = 0;
    for (const end = Date.now() + 60_000; step < 5 && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      const info = await api.call('app:info', {});
      step = ((info.result as { progress: { step: number } }).progress).step;
    }
    expect(step).toBeGreaterThanOrEqual(5);
    api.close();
    first.child.kill('SIGTERM');
    const stopped = await first.exit;
    expect(stopped.code).toBe(0);
    expect(stopped.output).toContain('SIGTERM: pausing and autosaving the session before leaving');
    expect((await readMeta(new CheckpointLibrary(dir).autosavePath))?.step ?? -1).toBeGreaterThanOrEqual(step);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const third = startHost(dir, rendererDir);
    await third.url;
    third.child.kill('SIGKILL');
    await third.exit;
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true); // nothing ran on the way out
    const fourth = startHost(dir, rendererDir);
    // The take-over host serves (a round trip answered) before it is asked to leave with Ctrl-C.
    const fourthApi = await connectApi(await fourth.url);
    expect((await fourthApi.call('app:info', {})).ok).toBe(true);
    fourthApi.close();
    fourth.child.kill('SIGINT');
    const left = await fourth.exit;
    expect(left.code, left.output).toBe(0);
  }, 120_000);
});
