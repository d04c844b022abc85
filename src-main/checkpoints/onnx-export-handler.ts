/**
 * The host's side of Export ONNX…: it picks the path (Electron: a native save dialog; web host:
 * `<home>/exports/<name>.onnx`) and asks the worker to write the running session's model there.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Req, Res } from '../../src-app-api/schemas';
import type { WorkerSupervisor } from '../worker/supervisor';

export const ONNX_EXT = '.onnx';

/** Resolves to the chosen path, or null when the dialog was cancelled. */
export type OnnxSaveDialog = (suggestedName: string) => Promise<string | null>;

export interface OnnxExportHandlers {
  'checkpoint:export-onnx': (request: Req<'checkpoint:export-onnx'>) => Promise<Res<'checkpoint:export-onnx'>>;
}

export function exportsFolder(home: string): string {
  return join(home, 'exports');
}

export function onnxExportHandlers(supervisor: WorkerSupervisor, home: string, dialog: OnnxSaveDialog | null): OnnxExportHandlers {
  async function exportPath(name: string | null): Promise<string | null> {
    if (dialog !== null) {
      const chosen = await dialog(name ?? 'model');
      return chosen === null || chosen.endsWith(ONNX_EXT) ? chosen : `${chosen}${ONNX_EXT}`;
    }
    // The name was already checked by the schema (no dots, no separators), so the file stays in the folder.
    if (name === null) throw new Error("IPC 'checkpoint:export-onnx': rejected: name: a name is required (the web host writes into its exports folder)");
    const folder = exportsFolder(home);
    mkdirSync(folder, { recursive: true });
    return join(folder, `${name}${ONNX_EXT}`);
  }

  return {
    'checkpoint:export-onnx': async ({ name }) => {
      const path = await exportPath(name);
      if (path === null) return { path: null, model: null, bytes: 0 };
      const { model, bytes } = await supervisor.internal('checkpoint:export-onnx', { path });
      return { path, model, bytes };
    },
  };
}
