/**
 * Drawings the user labelled ("this is a 7"): mixed into training steps, bounded (USER_SET_CAPACITY),
 * and, when given a file, saved there after every change (one atomic write, coalesced while one is in
 * flight) and read back when a worker starts, so they outlive a worker restart and an app restart.
 *
 * The file: "TFUSET01", the drawing count and the next id (u32 little-endian each), then per drawing its
 * id (u32), its label (u8) and 784 float32 pixels. Little and fixed-size, so a file that does not match
 * its count exactly is known to be damaged before anything is read from it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { NDArray } from '../../src-core';
import { writeFileAtomic } from '../../src-core/checkpoint/checkpoint-file';
import { hasInk, NOTHING_DRAWN, USER_SET_CAPACITY, userSetFullMessage } from '../../src-app-api/drawings';

const MAGIC = 'TFUSET01';
const HEADER_BYTES = MAGIC.length + 8;
const PIXELS = 784;
const RECORD_BYTES = 4 + 1 + PIXELS * 4;
/** A drawing's label is one byte in the file: classes 0–255 of the session's data. */
export const MAX_USER_SET_LABEL = 255;

export interface StoredDrawing {
  id: number;
  label: number;
  pixels: Float32Array;
}

export class UserSet {
  private drawings: StoredDrawing[] = [];
  private nextId = 0;
  /** Where the next training batch of drawings starts. */
  private cursor = 0;
  private writing: Promise<void> | null = null;
  private dirty = false;
  /** The last failed write's reason; null once a write succeeds. */
  saveError: string | null = null;

  /** `path`: where the set is kept (null: in memory only). `capacity`: the most drawings it holds. */
  constructor(private readonly path: string | null = null, readonly capacity: number = USER_SET_CAPACITY) {}

  get size(): number {
    return this.drawings.length;
  }

  /**
   * Reads the saved set, if there is one. A damaged file is an error naming it and leaves the set
   * empty: the caller logs it, and the next change rewrites the file whole.
   */
  load(): void {
    if (this.path === null || !existsSync(this.path)) return;
    const size = statSync(this.path).size;
    const bound = HEADER_BYTES + this.capacity * RECORD_BYTES;
    if (size > bound) throw new Error(`user set '${this.path}': ${size} bytes, more than ${this.capacity} drawings can take (${bound}); not read`);
    const bytes = readFileSync(this.path);
    if (bytes.length < HEADER_BYTES || bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new Error(`user set '${this.path}': not a tinyflow user set file`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(MAGIC.length, true);
    const nextId = view.getUint32(MAGIC.length + 4, true);
    if (bytes.length !== HEADER_BYTES + count * RECORD_BYTES) {
      throw new Error(`user set '${this.path}': says ${count} drawings (${HEADER_BYTES + count * RECORD_BYTES} bytes) but has ${bytes.length} bytes`);
    }
    const drawings: StoredDrawing[] = [];
    for (let i = 0, at = HEADER_BYTES; i < count; i++, at += RECORD_BYTES) {
      const id = view.getUint32(at, true);
      const label = view.getUint8(at + 4);
      const pixels = new Float32Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) pixels[p] = view.getFloat32(at + 5 + p * 4, true);
      if (id >= nextId || !pixels.every((v) => v >= 0 && v <= 1)) throw new Error(`user set '${this.path}': drawing ${i} is damaged (label ${label}, id ${id})`);
      drawings.push({ id, label, pixels });
    }
    this.drawings = drawings;
    this.nextId = nextId;
  }

  /**
   * Adds a drawing labelled with a class index of the session's data; refuses an empty one, one past the
   * capacity, and a label the file's one byte cannot hold. Resolves to its id.
   */
  add(pixels: readonly number[], label: number): number {
    if (!hasInk(pixels)) throw new Error(`userset:add: ${NOTHING_DRAWN}`);
    if (!Number.isInteger(label) || label < 0 || label > MAX_USER_SET_LABEL) throw new Error(`userset:add: label ${label} is outside 0–${MAX_USER_SET_LABEL}, the classes your own set can hold`);
    if (this.size >= this.capacity) throw new Error(`userset:add: ${userSetFullMessage(this.capacity)}`);
    const id = this.nextId++;
    this.drawings.push({ id, label, pixels: Float32Array.from(pixels) });
    this.persist();
    return id;
  }

  delete(id: number): void {
    const index = this.drawings.findIndex((d) => d.id === id);
    if (index < 0) throw new Error(`userset:delete: no drawing with id ${id} in your set (it has ${this.size})`);
    this.drawings.splice(index, 1);
    this.persist();
  }

  /** Drawings `offset` .. `offset + limit - 1`, oldest first. */
  list(offset: number, limit: number): readonly StoredDrawing[] {
    return this.drawings.slice(offset, offset + limit);
  }

  /**
   * The next `max` drawings (all of them when fewer), taken in turn so that every drawing is trained
   * on: images [n, 784] (or [n, 1, 28, 28]) and one-hot labels [n, numClasses]. Bounded so that a full
   * set costs a training step no more than an ordinary batch does. Drawings labelled with a class the
   * session's data does not have (a digit "7" while training on 3 classes) are left out; null when none fits.
   */
  batch(flatten: boolean, max: number = Number.POSITIVE_INFINITY, numClasses = 10): [NDArray, NDArray] | null {
    const limit = Math.min(this.size, Math.max(1, Math.floor(max)));
    const picked: StoredDrawing[] = [];
    let looked = 0;
    for (; looked < this.size && picked.length < limit; looked++) {
      const d = this.drawings[(this.cursor + looked) % this.size];
      if (d.label < numClasses) picked.push(d);
    }
    this.cursor = this.size > 0 ? (this.cursor + looked) % this.size : 0;
    const n = picked.length;
    if (n === 0) return null;
    const images = new Float32Array(n * PIXELS);
    const onehot = new Float32Array(n * numClasses);
    picked.forEach((d, i) => {
      images.set(d.pixels, i * PIXELS);
      onehot[i * numClasses + d.label] = 1;
    });
    return [new NDArray(images, flatten ? [n, PIXELS] : [n, 1, 28, 28]), new NDArray(onehot, [n, numClasses])];
  }

  /** Resolves once every change so far is on disk (or failed, see saveError). */
  async flushed(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private persist(): void {
    if (this.path === null) return;
    this.dirty = true;
    if (this.writing === null) this.writing = this.writeLoop(this.path);
  }

  /** Writes until no change is left unsaved: changes made during a write trigger one more, not one each. */
  private async writeLoop(path: string): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        try {
          await writeFileAtomic(path, [this.encode()]);
          this.saveError = null;
        } catch (e) {
          this.saveError = `saving your drawings to ${path} failed: ${e instanceof Error ? e.message : String(e)}`;
          console.error(this.saveError);
        }
      }
    } finally {
      this.writing = null;
    }
  }

  private encode(): Uint8Array {
    const bytes = new Uint8Array(HEADER_BYTES + this.size * RECORD_BYTES);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
    view.setUint32(MAGIC.length, this.size, true);
    view.setUint32(MAGIC.length + 4, this.nextId, true);
    this.drawings.forEach((d, i) => {
      const at = HEADER_BYTES + i * RECORD_BYTES;
      view.setUint32(at, d.id, true);
      view.setUint8(at + 4, d.label);
      for (let p = 0; p < PIXELS; p++) view.setFloat32(at + 5 + p * 4, d.pixels[p], true);
    });
    return bytes;
  }
}

/** Where a worker keeps the user set: beside its autosave, so one host's home holds one session's drawings. */
export function userSetPathFor(autosavePath: string | null): string | null {
  if (autosavePath === null) return null;
  return `${autosavePath.replace(/\.safetensors$/, '')}.drawings.bin`;
}
