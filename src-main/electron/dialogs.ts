/**
 * Electron's native Save / Open checkpoint dialogs. They run in the main process and return the chosen
 * path to the checkpoint host handlers, which keep it: the renderer only learns the file's name.
 */
import { dialog, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { join } from 'node:path';
import type { NativeDialogs } from '../checkpoints/host-handlers';
import type { OnnxSaveDialog } from '../checkpoints/onnx-export-handler';

const FILTERS = [{ name: 'tinyflow checkpoint', extensions: ['safetensors'] }];

export function nativeCheckpointDialogs(window: () => BrowserWindow | null, defaultFolder: string): NativeDialogs {
  return {
    async save(suggestedName) {
      const options: SaveDialogOptions = { title: 'Save checkpoint', defaultPath: join(defaultFolder, `${suggestedName}.safetensors`), filters: FILTERS };
      const w = window();
      const result = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async open() {
      const options: OpenDialogOptions = { title: 'Open checkpoint', defaultPath: defaultFolder, filters: FILTERS, properties: ['openFile'] };
      const w = window();
      const result = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}

export function nativeOnnxSaveDialog(window: () => BrowserWindow | null, defaultFolder: string): OnnxSaveDialog {
  return async (suggestedName) => {
    const options: SaveDialogOptions = { title: 'Export ONNX model', defaultPath: join(defaultFolder, `${suggestedName}.onnx`), filters: [{ name: 'ONNX model', extensions: ['onnx'] }] };
    const w = window();
    const result = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? null : result.filePath;
  };
}
