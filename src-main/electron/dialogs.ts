/**
 * Electron's native Save / Open checkpoint dialogs. They run in the main process and return the chosen
 * path to the checkpoint host handlers, which keep it: the renderer only learns the file's name.
 */
import { dialog, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { writeFile } from 'node:fs/promises';
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

/**
 * Save model…: the layer editor's model as NAME.tfmodel.json where the user picks. The renderer sends the
 * text (it holds the draft); the file is written here, so the renderer never names a path.
 */
export function nativeModelSaveDialog(window: () => BrowserWindow | null, defaultFolder: string): (request: { fileName: string; text: string }) => Promise<{ path: string | null; download: boolean }> {
  return async ({ fileName, text }) => {
    const options: SaveDialogOptions = { title: 'Save model', defaultPath: join(defaultFolder, fileName), filters: [{ name: 'tinyflow layer model', extensions: ['json'] }] };
    const w = window();
    const result = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
    if (result.canceled || !result.filePath) return { path: null, download: false };
    await writeFile(result.filePath, text, 'utf8');
    return { path: result.filePath, download: false };
  };
}
