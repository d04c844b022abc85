/**
 * The Electron main process: the window, the menu, native dialogs, the IPC router and the compute
 * worker supervisor. Training and inference never run here; they run in the worker thread.
 * One app per user: a second launch focuses the first window (requestSingleInstanceLock), and the
 * studio home is locked against a web host using the same one.
 */
import { app, BrowserWindow, dialog, Menu, protocol, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { EVENT_CHANNELS } from '../../src-app-api/channels';
import type { EventEnvelope } from '../../src-app-api/wire';
import { encodeNonFinite } from '../../src-app-api/wire-codec';
import { autosaveBeforeExit, checkpointHandlers } from '../checkpoints/host-handlers';
import { exportsFolder, onnxExportHandlers } from '../checkpoints/onnx-export-handler';
import { AUTOSAVE_MS, CheckpointLibrary, studioHome } from '../checkpoints/library';
import { ApiRouter } from '../router';
import { acquireHomeLock, HomeLockedError, type HomeLock } from '../web/home-lock';
import { spawnComputeWorker } from '../worker/spawn-worker';
import { WorkerSupervisor } from '../worker/supervisor';
import { appProtocolHandler, APP_SCHEME_PRIVILEGES } from './app-protocol';
import { nativeCheckpointDialogs, nativeModelSaveDialog, nativeOnnxSaveDialog } from './dialogs';
import { registerIpc } from './ipc';
import { APP_CSP, APP_SCHEME, menuTemplate, rendererEntry } from './policy';
import { lockDown, SECURE_PREFERENCES } from './security';

const isDev = !app.isPackaged;
/** electron-vite's dev server in `electron-vite dev` (never in a built app), else the app:// page. */
const entry = rendererEntry(app.isPackaged, process.env.ELECTRON_RENDERER_URL);
const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));

// Must happen before 'ready': app:// becomes a standard, secure origin that fetch() can use.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

if (!app.requestSingleInstanceLock()) {
  // The first instance gets 'second-instance' and shows its window; this one has nothing to do.
  app.quit();
} else {
  start();
}

function start(): void {
  let window: BrowserWindow | null = null;
  const library = new CheckpointLibrary(studioHome(app.getPath('userData')));
  library.ensureFolders();
  let lock: HomeLock;
  try {
    lock = acquireHomeLock(library.home, 'electron');
  } catch (e) {
    const message = e instanceof HomeLockedError ? e.message : `cannot lock ${library.home}: ${String(e)}`;
    void app.whenReady().then(() => {
      dialog.showErrorBox('tinyflow studio is already running', message);
      app.quit();
    });
    return;
  }
  process.on('exit', () => lock.release());
  // As in the web host: one failed handler is logged, and the app (and its unsaved session) lives on.
  process.on('unhandledRejection', (reason) => console.error('tinyflow studio: unhandled rejection:', reason));
  process.on('uncaughtException', (error) => console.error('tinyflow studio: uncaught exception:', error));

  const { autosavePath } = library;
  const supervisor = new WorkerSupervisor({
    spawn: () => spawnComputeWorker({ autosavePath, autosaveMs: AUTOSAVE_MS }),
    autosavePath,
    restoreOnStart: true,
    onEvent: (channel, payload) => {
      if (window && !window.isDestroyed() && EVENT_CHANNELS.includes(channel)) {
        window.webContents.send('tinyflow:event', encodeNonFinite({ kind: 'event', channel, payload } satisfies EventEnvelope));
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
    ...onnxExportHandlers(supervisor, library.home, nativeOnnxSaveDialog(() => window, exportsFolder(library.home))),
    'model:save': nativeModelSaveDialog(() => window, library.home),
  });

  const createWindow = (): void => {
    window = new BrowserWindow({
      width: 1280,
      height: 860,
      title: 'tinyflow studio',
      show: false,
      webPreferences: SECURE_PREFERENCES(fileURLToPath(new URL('../preload/index.cjs', import.meta.url)), isDev),
    });
    lockDown(window.webContents);
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => (window = null));
    void window.loadURL(entry);
  };

  app.on('second-instance', () => {
    if (window === null) return createWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  void app.whenReady().then(() => {
    protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));
    if (isDev) {
      // The dev server's pages are http: give them the same CSP the app:// responses carry.
      session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
        callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
      });
    }
    registerIpc(router, () => window, entry);
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(isDev, () => void shell.openExternal('https://github.com/tqchen/tinyflow'))));
    createWindow();
    app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
  });
  // Every way out (last window closed, Cmd+Q, app.quit(), SIGINT / SIGTERM) goes through before-quit:
  // hold the quit until the session is paused and autosaved, then quit for real.
  let saved = false;
  let quitting = false;
  app.on('before-quit', (event) => {
    if (saved) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    void autosaveBeforeExit(supervisor, autosavePath)
      .then(() => supervisor.close())
      .finally(() => {
        saved = true;
        lock.release();
        app.quit();
      });
  });
  app.on('window-all-closed', () => app.quit());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}
