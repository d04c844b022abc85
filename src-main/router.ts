/**
 * The IPC router shared by the Electron main process and the web host: validates every request on
 * arrival (a rejection names the channel), answers host channels itself and forwards the rest to the
 * compute worker. A malformed message costs an error reply, never the worker.
 */
import { isHostChannel, type HostChannel, type RequestChannel } from '../src-app-api/channels';
import type { Req, Res } from '../src-app-api/schemas';
import { errorMessage, parsePayload, parseRequest, type ResponseEnvelope } from '../src-app-api/wire';
import type { WorkerChannel } from './worker/engine';
import type { WorkerSupervisor } from './worker/supervisor';

export type HostHandlers = { [C in HostChannel]: (payload: Req<C>) => Promise<Res<C>> };

export class ApiRouter {
  constructor(private readonly supervisor: WorkerSupervisor, private readonly host: HostHandlers) {}

  /** One request whose channel the transport already knows (Electron: one ipcMain handler per channel). */
  async dispatch(channel: RequestChannel, payload: unknown): Promise<unknown> {
    const request = parsePayload(channel, payload);
    if (isHostChannel(channel)) {
      const handler = this.host[channel] as (p: unknown) => Promise<unknown>;
      return handler(request);
    }
    return this.supervisor.request(channel as WorkerChannel, request as never);
  }

  /** A raw envelope from a socket: always resolves to a response envelope (errors included). */
  async handleRaw(raw: unknown): Promise<ResponseEnvelope> {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' ? raw.id : -1;
    try {
      const request = parseRequest(raw);
      return { kind: 'response', id, ok: true, result: await this.dispatch(request.channel, request.payload) };
    } catch (e) {
      return { kind: 'response', id, ok: false, error: errorMessage(e) };
    }
  }
}
