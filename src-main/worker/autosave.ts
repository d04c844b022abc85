/**
 * Autosaves the running session every `intervalMs` (checked between training steps) and whenever it
 * pauses, stops, finishes or diverges, so a crashed or stalled worker, or a closed app, loses at most one
 * interval. Saves never overlap. A failed autosave (or one that refused to write non-finite weights)
 * does not fail the training it protects: it is logged and handed to the outcome listener, which puts
 * it on the progress stream for the UI.
 */
export class Autosaver {
  private last = performance.now();
  private inFlight: Promise<void> | null = null;
  private listener: (error: string | null) => void = () => undefined;

  constructor(readonly path: string | null, private readonly intervalMs: number, private readonly save: (path: string) => Promise<void>) {}

  /** Called after every autosave: null when it wrote, else the reason it did not. */
  onOutcome(listener: (error: string | null) => void): void {
    this.listener = listener;
  }

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
      .then(
        () => this.listener(null),
        (e: unknown) => {
          const message = `autosave to ${path} failed: ${e instanceof Error ? e.message : String(e)}`;
          console.error(message);
          this.listener(message);
        },
      )
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }
}
