/**
 * The Electron main process: the window, the menu, native dialogs, the IPC router and the compute
 * worker supervisor. Training and inference never run here; they run in the worker thread.
 */
import { app, BrowserWindow, dialog, Menu, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EVENT_CHANNELS } from '../../src-app-api/channels';
import type { EventEnvelope } from '../../src-app-api/wire';
import { autosaveBeforeExit, checkpointHandlers } from '../checkpoints/host-handlers';
import { AUTOSAVE_MS, CheckpointLibrary, studioHome } from '../checkpoints/library';
import { ApiRouter } from '../router';
import { nativeCheckpointDialogs } from './dialogs';
import { spawnComputeWorker } from '../worker/spawn-worker';
import { WorkerSupervisor } from '../worker/supervisor';
import { registerIpc } from './ipc';
import { lockDown, SECURE_PREFERENCES } from './security';

/** electron-vite's dev server in `electron-vite dev`, else the built page. */
const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(fileURLToPath(new URL('../renderer/index.html', import.meta.url))).href;
let window: BrowserWindow | null = null;

const library = new CheckpointLibrary(studioHome(app.getPath('userData')));
library.ensureFolders();
const { autosavePath } = library;
const supervisor = new WorkerSupervisor({
  spawn: () => spawnComputeWorker({ autosavePath, autosaveMs: AUTOSAVE_MS }),
  autosavePath,
  restoreOnStart: true,
  onEvent: (channel, payload) => {
    if (window && !window.isDestroyed() && EVENT_CHANNELS.includes(channel)) {
      window.webContents.send('tinyflow:event', { kind: 'event', channel, payload } satisfies EventEnvelope);
    }
  },
});

const router = new ApiRouter(supervisor, {
  'dialog:pick-data-dir': async () => {
    const options = { title: 'Folder of MNIST / Fashion-MNIST IDX files', properties: ['openDirectory' as const] };
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return { path: result.canceled ? null : (result.filePaths[0] ?? null) };
  },
  ...checkpointHandlers(supervisor, library, nativeCheckpointDialogs(() => window, library.folder)),
});

function createWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'tinyflow studio',
    show: false,
    webPreferences: SECURE_PREFERENCES(fileURLToPath(new URL('../preload/index.cjs', import.meta.url))),
  });
  lockDown(window.webContents);
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = null));
  void window.loadURL(rendererUrl);
}

function buildMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
      { role: 'help', submenu: [{ label: 'tinyflow on GitHub', click: () => void shell.openExternal('https://github.com/tqchen/tinyflow') }] },
    ]),
  );
}

app.enableSandbox();
app.on('web-contents-created', (_event, contents) => lockDown(contents));
void app.whenReady().then(() => {
  registerIpc(router, () => window, rendererUrl);
  buildMenu();
  createWindow();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
});
app.on('window-all-closed', () => {
  void autosaveBeforeExit(supervisor, autosavePath)
    .then(() => supervisor.close())
    .finally(() => app.quit());
});
