/** What the app knows about its host: models, backends, the transport and the compute worker's health. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Res, WorkerStatus } from '../../src-app-api/schemas';
import { apiClient, onTransportClosed } from '../api';

export type AppInfo = Res<'app:info'>;

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null);
  const workerStatus = ref<WorkerStatus | null>(null);
  const error = ref<string | null>(null);
  const transport = ref<string>('');

  async function load(): Promise<AppInfo> {
    const client = apiClient();
    transport.value = client.transport;
    client.on('worker:status', (s) => (workerStatus.value = s));
    onTransportClosed((reason) => (error.value = reason));
    try {
      info.value = await client.call('app:info', {});
      error.value = null;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
      throw e;
    }
    return info.value;
  }

  return { info, workerStatus, error, transport, load };
});
