/**
 * Save / Open checkpoint in the renderer. It only ever names checkpoints (web host: a name in the
 * checkpoints folder), recent ids or "show a dialog" (Electron); the host picks and keeps the paths.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CheckpointInfo, CheckpointOpen } from '../../src-app-api/checkpoint-schemas';
import { apiClient } from '../api';

export const useCheckpointStore = defineStore('checkpoints', () => {
  const nativeDialogs = ref(false);
  const folder = ref<CheckpointInfo[]>([]);
  const recent = ref<CheckpointInfo[]>([]);
  const name = ref('checkpoint');
  const message = ref<string | null>(null);
  /** An Open leaves the session paused: the panel adds "press Resume" while it still is, and not after. */
  const openedPaused = ref(false);
  const error = ref<string | null>(null);
  const busy = ref(false);

  async function run(action: () => Promise<void>): Promise<void> {
    busy.value = true;
    error.value = null;
    try {
      await action();
      await refresh();
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      busy.value = false;
    }
  }

  async function refresh(): Promise<void> {
    const list = await apiClient().call('checkpoint:list', {});
    nativeDialogs.value = list.nativeDialogs;
    folder.value = list.folder;
    recent.value = list.recent;
  }

  const save = () =>
    run(async () => {
      const { checkpoint } = await apiClient().call('checkpoint:save', { name: nativeDialogs.value ? null : name.value });
      if (!checkpoint) return;
      message.value = `saved ${checkpoint.label} at step ${checkpoint.step}`;
      openedPaused.value = false;
    });

  const open = (request: CheckpointOpen) =>
    run(async () => {
      const { checkpoint } = await apiClient().call('checkpoint:open', request);
      if (!checkpoint) return;
      // The charts and the form were already refilled by the restore's progress message (seriesReset):
      // resetting them here would throw the restored history away.
      message.value = `opened ${checkpoint.label} at step ${checkpoint.step}`;
      openedPaused.value = true;
    });

  /** Export ONNX… has its own line of feedback: its errors (no session, a bad name, an op ONNX cannot express) sit next to its button. */
  const exportMessage = ref<string | null>(null);
  const exportError = ref<string | null>(null);
  const exporting = ref(false);

  async function exportOnnx(): Promise<void> {
    // A double click while the worker is still writing would only queue a second identical file.
    if (exporting.value) return;
    exporting.value = true;
    exportError.value = null;
    exportMessage.value = null;
    try {
      const { path, model, bytes } = await apiClient().call('checkpoint:export-onnx', { name: nativeDialogs.value ? null : name.value });
      if (path !== null) exportMessage.value = `exported ${model ?? 'the model'} as ONNX (${(bytes / 1024).toFixed(1)} KiB) to ${path}`;
    } catch (e) {
      exportError.value = e instanceof Error ? e.message : String(e);
    } finally {
      exporting.value = false;
    }
  }

  return { nativeDialogs, folder, recent, name, message, openedPaused, error, busy, refresh, save, open, exportMessage, exportError, exporting, exportOnnx };
});
