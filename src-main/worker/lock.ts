/**
 * Serialises session work in the worker. Training steps, predictions and backend switches interleave at
 * await points; a run that touches the same plan buffers must not overlap another, so each takes the lock.
 * A long holder (an evaluation over a big test split) hands the lock over between its chunks
 * (`handOver`), so a prediction or a pause waits for one chunk, never for the whole.
 */
export class Lock {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /**
   * For the current holder only: lets the messages that arrived meanwhile in, runs every run() queued
   * so far, then takes the lock back. The caller's own state must allow that work in between.
   */
  async handOver(): Promise<void> {
    await yieldToEventLoop();
    if (this.waiters.length === 0) return;
    this.release();
    await this.acquire();
  }

  private acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Passes the lock straight to the next waiter (it stays held), or frees it. */
  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}

/** Lets queued messages (predict, pause, stop) in between training steps: awaits alone only drain microtasks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
