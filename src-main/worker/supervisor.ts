/**
 * Owns the compute worker for a host (Electron main or the web host): forwards validated requests,
 * validates what comes back, and detects a crashed worker (error/exit) or a stalled one (no heartbeat
 * answer within `stallMs`), reports it as a `worker:status` event and starts a fresh worker, which
 * continues from the session's last autosave (see restoreAutosave).
 */
import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { EVENT_CHANNELS, type EventChannel, type RequestChannel } from '../../src-app-api/channels';
import type { EventPayload, Req, Res } from '../../src-app-api/schemas';
import { errorMessage, parseEvent, parseResponse, type ServerMessage } from '../../src-app-api/wire';
import { decodeNonFinite, encodeNonFinite } from '../../src-app-api/wire-codec';
import { parseInternalResponse, type InternalChannel, type InternalReq, type InternalRes } from '../../src-app-api/worker-api';
import { readMeta } from '../checkpoints/meta';
import type { HostToWorker, WorkerToHost } from './worker-protocol';

export interface SupervisorOptions {
  spawn: () => Worker;
  /** The file the worker autosaves to; a restarted worker restores it, and so does the first when `restoreOnStart`. */
  autosavePath?: string | null;
  /** Restores the previous app session (paused) when the host starts: the session survives an app restart. */
  restoreOnStart?: boolean;
  onEvent: <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void;
  heartbeatMs?: number;
  stallMs?: number;
}

interface Pending {
  channel: RequestChannel | InternalChannel;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class WorkerSupervisor {
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private seq = 0;
  private lastPong = performance.now();
  private restarts = 0;
  private startedAt = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** The training state last reported, so a restarted worker resumes only a session that was running. */
  private trainState = 'idle';
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(private readonly options: SupervisorOptions) {
    this.startWorker();
    const heartbeatMs = options.heartbeatMs ?? 1000;
    const stallMs = options.stallMs ?? 15_000;
    this.heartbeat = setInterval(() => {
      if (this.restartTimer !== null) return;
      if (performance.now() - this.lastPong > stallMs) {
        this.replace('stalled', `the compute worker did not answer for ${Math.round(stallMs / 1000)} s`);
        return;
      }
      this.post({ kind: 'ping', seq: ++this.seq });
    }, heartbeatMs);
    this.heartbeat.unref?.();
    if (options.restoreOnStart) void this.restoreAutosave(false, null);
  }

  request<C extends RequestChannel>(channel: C, payload: Req<C>): Promise<Res<C>> {
    const id = this.nextId++;
    if (this.restartTimer !== null) return Promise.reject(new Error(`IPC '${channel}': the compute worker is restarting; retry in a moment`));
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { channel, resolve, reject });
      this.post({ kind: 'request', id, channel, payload });
    }).then((result) => parseResponse(channel, result));
  }

  /** A host-only request (checkpoint files by path), never reachable from the renderer. */
  internal<C extends InternalChannel>(channel: C, payload: InternalReq<C>): Promise<InternalRes<C>> {
    const id = this.nextId++;
    if (this.restartTimer !== null) return Promise.reject(new Error(`IPC '${channel}': the compute worker is restarting; retry in a moment`));
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { channel, resolve, reject });
      this.post({ kind: 'internal', id, channel, payload });
    }).then((result) => parseInternalResponse(channel, result));
  }

  get restartCount(): number {
    return this.restarts;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.failPending('the compute worker was shut down');
    await this.worker.terminate();
  }

  private post(message: HostToWorker): void {
    this.worker.postMessage(encodeNonFinite(message));
  }

  private startWorker(): void {
    const worker = this.options.spawn();
    this.worker = worker;
    this.startedAt = this.lastPong = performance.now();
    worker.on('message', (m: unknown) => this.onMessage(decodeNonFinite(m) as ServerMessage | WorkerToHost));
    worker.on('error', (e) => this.worker === worker && this.replace('crashed', `the compute worker crashed: ${errorMessage(e)}`));
    worker.on('exit', (code) => this.worker === worker && this.replace('crashed', `the compute worker exited with code ${code}`));
  }

  private onMessage(message: ServerMessage | WorkerToHost): void {
    this.lastPong = performance.now();
    if (message.kind === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.ok) p.resolve(message.result);
      else p.reject(new Error(message.error));
    } else if (message.kind === 'event' && (EVENT_CHANNELS as readonly string[]).includes(message.channel)) {
      try {
        const payload = parseEvent(message.channel, message.payload);
        if ('state' in payload && message.channel === 'train:progress') this.trainState = payload.state;
        this.options.onEvent(message.channel, payload);
      } catch (e) {
        console.error(errorMessage(e));
      }
    }
  }

  private replace(state: 'crashed' | 'stalled', message: string): void {
    if (this.closed || this.restartTimer !== null) return;
    const old = this.worker;
    this.restarts++;
    this.options.onEvent('worker:status', { state, message: `${message}; restarting it`, restarts: this.restarts });
    this.failPending(`${message}; the request was lost, please retry`);
    void old.terminate();
    // A worker that dies right after starting would otherwise restart in a tight loop.
    const delay = performance.now() - this.startedAt < 5000 ? 2000 : 0;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed) return;
      this.startWorker();
      this.options.onEvent('worker:status', { state: 'ready', message: `a fresh compute worker is running (${message})`, restarts: this.restarts });
      void this.restoreAutosave(this.trainState === 'running', message);
    }, delay);
  }

  /** Loads the last autosave into the (fresh) worker and says so in a `worker:status` event. */
  private async restoreAutosave(resume: boolean, cause: string | null): Promise<void> {
    const path = this.options.autosavePath;
    if (!path || !existsSync(path) || (await readMeta(path)) === null) return;
    try {
      const { step } = await this.internal('checkpoint:load', { path, source: 'autosave', label: 'autosave', resume });
      const why = cause === null ? 'the previous session' : cause;
      this.options.onEvent('worker:status', { state: 'ready', message: `restored from checkpoint at step ${step} (${why})`, restarts: this.restarts });
    } catch (e) {
      this.options.onEvent('worker:status', { state: 'ready', message: `could not restore the autosave: ${errorMessage(e)}`, restarts: this.restarts });
    }
  }

  private failPending(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(`IPC '${p.channel}': ${reason}`));
    this.pending.clear();
  }
}
