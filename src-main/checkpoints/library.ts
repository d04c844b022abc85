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
import { basename, dirname, join, sep } from 'node:path';
import { z } from 'zod';
import { CHECKPOINT_NAME, MAX_SKIPPED_LISTED, type CheckpointInfo, type SkippedCheckpoint } from '../../src-app-api/checkpoint-schemas';
import { cleanStaleTempFiles, writeFileAtomic } from '../../src-core/checkpoint/checkpoint-file';
import { CHECKPOINT_EXT, readMetaResult } from './meta';

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

  /**
   * Synchronous, so a host can create them before it spawns the worker that autosaves there. Temp files
   * that interrupted writes left behind (a crash, a kill) are removed here; returns their names.
   */
  ensureFolders(): string[] {
    mkdirSync(this.folder, { recursive: true });
    mkdirSync(join(this.home, 'autosave'), { recursive: true });
    return [this.home, this.folder, join(this.home, 'autosave')].flatMap((dir) => cleanStaleTempFiles(dir));
  }

  /** The checkpoints-folder path of a name; the name is checked again here, whatever validated it before. */
  pathOf(name: string): string {
    if (!CHECKPOINT_NAME.test(name)) throw new Error(`checkpoint name '${name.slice(0, 80)}' is not allowed`);
    return join(this.folder, `${name}${CHECKPOINT_EXT}`);
  }

  /** Describes a checkpoint for the renderer, or null when it is missing or has no readable metadata. */
  async info(path: string): Promise<CheckpointInfo | null> {
    const described = await this.describe(path);
    return 'info' in described ? described.info : null;
  }

  /**
   * The folder's checkpoints, newest first. A file that cannot be listed (unreadable, corrupt, not a studio
   * checkpoint) is skipped with its reason rather than failing the whole list.
   */
  async listFolder(): Promise<{ checkpoints: CheckpointInfo[]; skipped: SkippedCheckpoint[] }> {
    let names: string[] = [];
    try {
      names = await readdir(this.folder);
    } catch {
      // No folder yet (nothing saved), or one we cannot read: an empty list, as before anything was saved.
    }
    const described = await Promise.all(
      names.filter((n) => n.endsWith(CHECKPOINT_EXT) && !n.startsWith('.')).sort().map((n) => this.describe(join(this.folder, n))),
    );
    const checkpoints = described.flatMap((d) => ('info' in d ? [d.info] : [])).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
    const skipped = described.flatMap((d) => ('skipped' in d ? [d.skipped] : [])).slice(0, MAX_SKIPPED_LISTED);
    return { checkpoints, skipped };
  }

  private async describe(path: string): Promise<{ info: CheckpointInfo } | { skipped: SkippedCheckpoint }> {
    const label = basename(path);
    if (!existsSync(path)) return { skipped: { label, reason: 'the file no longer exists' } };
    const result = await readMetaResult(path);
    if (result.ok) {
      const { meta } = result;
      return { info: { id: checkpointId(path), label, model: meta.config.model, step: meta.step, savedAt: meta.savedAt } };
    }
    // The renderer never sees paths: the reason keeps the file names, not the folder they are in.
    const reason = result.reason.split(`${dirname(path)}${sep}`).join('');
    return { skipped: { label, reason: reason.length > 1000 ? `${reason.slice(0, 997)}...` : reason } };
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
