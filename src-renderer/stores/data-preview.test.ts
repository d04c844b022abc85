/**
 * The Train view's data preview store against the real worker engine (in-process) and real PNG class
 * folders: what it shows for a folder (any class count), an error in words, and the latest folder winning.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { squareOnBlack, writePng } from '../../src-core/datasets/image-fixtures';
import { inProcessClient } from '../../src-main/worker/in-process-client';
import { setApiClient } from '../api';
import { useDataPreviewStore } from './data-preview';

const root = mkdtempSync(join(tmpdir(), 'data-preview-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `classes` class folders of `perClass` 20×20 PNGs each (the loader scales them to 28×28). */
function imageFolder(name: string, classes: number, perClass: number): string {
  const dir = join(root, name);
  for (let c = 0; c < classes; c++) for (let i = 0; i < perClass; i++) writePng(join(dir, `class${c}`, `${i}.png`), 20, 20, squareOnBlack(20, 20, (c % 5) - 2));
  return dir;
}

describe('data preview store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    setApiClient(inProcessClient());
  });

  it('shows a 3-class image folder with its splits and samples', async () => {
    const store = useDataPreviewStore();
    await store.load(imageFolder('three', 3, 10));
    expect(store.error).toBeNull();
    expect(store.preview?.kind).toBe('image-folder');
    expect(store.preview?.classNames).toEqual(['class0', 'class1', 'class2']);
    expect(store.preview?.trainSize).toBe(27);
    expect(store.preview?.testSize).toBe(3);
    expect(store.preview?.samples.length).toBe(12);
  });

  it('shows a 10-class folder', async () => {
    const store = useDataPreviewStore();
    await store.load(imageFolder('ten', 10, 2));
    expect(store.preview?.classNames).toHaveLength(10);
  });

  it('shows a corrupt image as an error naming the file, and no preview', async () => {
    const dir = imageFolder('corrupt', 2, 3);
    writeFileSync(join(dir, 'class1', 'broken.png'), 'not a png');
    const store = useDataPreviewStore();
    await store.load(dir);
    expect(store.preview).toBeNull();
    expect(store.error).toContain('broken.png');
    expect(store.loading).toBe(false);
  });

  it('keeps only the latest folder: an earlier, slower answer does not overwrite it', async () => {
    const big = imageFolder('big', 4, 60);
    const missing = join(root, 'no-such-folder');
    const store = useDataPreviewStore();
    const first = store.load(big);
    const second = store.load(missing);
    await Promise.all([first, second]);
    expect(store.dir).toBe(missing);
    expect(store.preview).toBeNull();
    expect(store.error).toContain('no-such-folder');
  });
});
