/**
 * Autosaves the running session every `intervalMs` (checked between training steps) and whenever it
 * pauses, stops or finishes, so a crashed or stalled worker, or a closed app, loses at most one interval.
 * Saves never overlap, and a failed autosave is logged rather than failing the training it protects.
 */
export class Autosaver {
  private last = performance.now();
  private inFlight: Promise<void> | null = null;

  constructor(readonly path: string | null, private readonly intervalMs: number, private readonly save: (path: string) => Promise<void>) {}

  /** Saves when the interval has passed since the last save. */
  async maybe(): Promise<void> {
    if (performance.now() - this.last >= this.intervalMs) await this.now();
  }

  async now(): Promise<void> {
    if (this.path === null) return;
    if (this.inFlight) return this.inFlight;
    const path = this.path;
    this.last = performance.now();
    this.inFlight = this.save(path)
      .catch((e: unknown) => console.error(`autosave to ${path} failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }
}
