/**
 * The app's checkpoint files in its user-data directory: the checkpoints folder (where the web host
 * saves, by validated name only), the session autosave, and the persisted recent-files list (at most
 * 10, pruned of files that no longer exist). Paths never leave this module towards the renderer: it
 * hands out ids (a hash of the path) and file names.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { CHECKPOINT_NAME, type CheckpointInfo } from '../../src-app-api/checkpoint-schemas';
import { writeFileAtomic } from '../../src-core/checkpoint/checkpoint-file';
import { CHECKPOINT_EXT, readMeta } from './meta';

export const MAX_RECENT = 10;
/** How often the worker autosaves a running session: a crash or an app restart loses at most this much. */
export const AUTOSAVE_MS = 10_000;
const RecentFileSchema = z.array(z.string().min(1)).max(100);

/** `TINYFLOW_STUDIO_HOME` (tests, portable installs), else the host's own default. */
export function studioHome(fallback = join(homedir(), '.tinyflow-studio')): string {
  return process.env.TINYFLOW_STUDIO_HOME ?? fallback;
}

export const checkpointId = (path: string): string => createHash('sha256').update(path).digest('hex').slice(0, 16);

export class CheckpointLibrary {
  readonly folder: string;
  readonly autosavePath: string;
  private readonly recentFile: string;

  constructor(readonly home: string) {
    this.folder = join(home, 'checkpoints');
    this.autosavePath = join(home, 'autosave', `session${CHECKPOINT_EXT}`);
    this.recentFile = join(home, 'recent-checkpoints.json');
  }

  /** Synchronous, so a host can create them before it spawns the worker that autosaves there. */
  ensureFolders(): void {
    mkdirSync(this.folder, { recursive: true });
    mkdirSync(join(this.home, 'autosave'), { recursive: true });
  }

  /** The checkpoints-folder path of a name; the name is checked again here, whatever validated it before. */
  pathOf(name: string): string {
    if (!CHECKPOINT_NAME.test(name)) throw new Error(`checkpoint name '${name.slice(0, 80)}' is not allowed`);
    return join(this.folder, `${name}${CHECKPOINT_EXT}`);
  }

  /** Describes a checkpoint for the renderer, or null when it is missing or has no readable sidecar. */
  async info(path: string): Promise<CheckpointInfo | null> {
    if (!existsSync(path)) return null;
    const meta = await readMeta(path);
    return meta && { id: checkpointId(path), label: basename(path), model: meta.config.model, step: meta.step, savedAt: meta.savedAt };
  }

  async listFolder(): Promise<CheckpointInfo[]> {
    const names = existsSync(this.folder) ? await readdir(this.folder) : [];
    const infos = await Promise.all(names.filter((n) => n.endsWith(CHECKPOINT_EXT) && !n.startsWith('.')).map((n) => this.info(join(this.folder, n))));
    return infos.filter((i): i is CheckpointInfo => i !== null).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  /** The recent files that still exist, newest first; the pruned list is written back. */
  async recentPaths(): Promise<string[]> {
    let stored: string[] = [];
    try {
      const parsed = RecentFileSchema.safeParse(JSON.parse(await readFile(this.recentFile, 'utf8')));
      if (parsed.success) stored = parsed.data;
    } catch {
      // No list yet, or an unreadable one: start a new one rather than fail the Train view.
    }
    const alive = stored.filter((p) => existsSync(p)).slice(0, MAX_RECENT);
    if (alive.length !== stored.length) await this.writeRecent(alive);
    return alive;
  }

  async recent(): Promise<CheckpointInfo[]> {
    const infos = await Promise.all((await this.recentPaths()).map((p) => this.info(p)));
    return infos.filter((i): i is CheckpointInfo => i !== null);
  }

  async addRecent(path: string): Promise<void> {
    const next = [path, ...(await this.recentPaths()).filter((p) => p !== path)].slice(0, MAX_RECENT);
    await this.writeRecent(next);
  }

  /** The path behind an id the renderer got from `recent()`, or null when it is not (or no longer) there. */
  async resolveRecent(id: string): Promise<string | null> {
    return (await this.recentPaths()).find((p) => checkpointId(p) === id) ?? null;
  }

  private async writeRecent(paths: string[]): Promise<void> {
    await mkdir(this.home, { recursive: true });
    await writeFileAtomic(this.recentFile, [new TextEncoder().encode(`${JSON.stringify(paths, null, 2)}\n`)]);
  }
}
