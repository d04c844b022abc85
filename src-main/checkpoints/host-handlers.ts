/**
 * The host's side of Save / Open checkpoint: it picks the path (a native dialog in Electron, the
 * checkpoints folder in the web host), asks the worker to write or load it over the internal channels,
 * and records it among the recent files. The renderer only ever gets names, labels and ids back.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { CheckpointInfo, CheckpointOpen } from '../../src-app-api/checkpoint-schemas';
import type { Req, Res } from '../../src-app-api/schemas';
import type { WorkerSupervisor } from '../worker/supervisor';
import type { CheckpointLibrary } from './library';
import { CHECKPOINT_EXT } from './meta';

/** Electron's save / open dialogs; each resolves to the chosen path, or null when cancelled. */
export interface NativeDialogs {
  save(suggestedName: string): Promise<string | null>;
  open(): Promise<string | null>;
}

export interface CheckpointHandlers {
  'checkpoint:save': (request: Req<'checkpoint:save'>) => Promise<Res<'checkpoint:save'>>;
  'checkpoint:open': (request: Req<'checkpoint:open'>) => Promise<Res<'checkpoint:open'>>;
  'checkpoint:list': () => Promise<Res<'checkpoint:list'>>;
}

export function checkpointHandlers(supervisor: WorkerSupervisor, library: CheckpointLibrary, dialogs: NativeDialogs | null): CheckpointHandlers {
  const describe = async (path: string): Promise<CheckpointInfo> => {
    const info = await library.info(path);
    if (info === null) throw new Error(`checkpoint '${basename(path)}' has no readable tinyflow studio metadata`);
    return info;
  };

  async function savePath(name: string | null): Promise<string | null> {
    if (dialogs !== null) {
      const chosen = await dialogs.save(name ?? 'checkpoint');
      return chosen === null || chosen.endsWith(CHECKPOINT_EXT) ? chosen : `${chosen}${CHECKPOINT_EXT}`;
    }
    if (name === null) throw new Error("IPC 'checkpoint:save': rejected: name: a name is required (the web host saves into its checkpoints folder)");
    library.ensureFolders();
    return library.pathOf(name);
  }

  async function openPath(request: CheckpointOpen): Promise<string | null> {
    switch (request.source) {
      case 'dialog':
        if (dialogs === null) throw new Error("IPC 'checkpoint:open': rejected: source: this host has no native dialogs; open from the checkpoints folder");
        return dialogs.open();
      case 'folder': {
        const path = library.pathOf(request.name);
        if (!existsSync(path)) throw new Error(`IPC 'checkpoint:open': no checkpoint named '${request.name}' in the checkpoints folder`);
        return path;
      }
      case 'recent': {
        const path = await library.resolveRecent(request.id);
        if (path === null) throw new Error(`IPC 'checkpoint:open': recent checkpoint ${request.id} is gone (moved or deleted)`);
        return path;
      }
    }
  }

  return {
    'checkpoint:save': async ({ name }) => {
      const path = await savePath(name);
      if (path === null) return { checkpoint: null };
      await supervisor.internal('checkpoint:write', { path });
      await library.addRecent(path);
      return { checkpoint: await describe(path) };
    },
    'checkpoint:open': async (request) => {
      const path = await openPath(request);
      if (path === null) return { checkpoint: null };
      // Opened paused at the saved step: the user sees where it is and presses Resume to continue.
      await supervisor.internal('checkpoint:load', { path, source: 'checkpoint', label: basename(path), resume: false });
      await library.addRecent(path);
      return { checkpoint: await describe(path) };
    },
    'checkpoint:list': async () => {
      const { checkpoints, skipped } = dialogs === null ? await library.listFolder() : { checkpoints: [], skipped: [] };
      return { nativeDialogs: dialogs !== null, folder: checkpoints, recent: await library.recent(), skipped };
    },
  };
}

/**
 * Pauses the session and writes the autosave once more before the host closes, so the next start
 * restores exactly where this one ended. A worker without a model has nothing to save: that is fine.
 */
export async function autosaveBeforeExit(supervisor: WorkerSupervisor, autosavePath: string): Promise<void> {
  try {
    await supervisor.request('train:pause', {});
    await supervisor.internal('checkpoint:write', { path: autosavePath });
  } catch {
    // No model loaded, or a worker already gone: the last periodic autosave stands.
  }
}
