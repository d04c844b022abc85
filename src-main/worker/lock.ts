/**
 * Serialises session work in the worker. Training steps, predictions and backend switches interleave at
 * await points; a run that touches the same plan buffers must not overlap another, so each takes the lock.
 */
export class Lock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Lets queued messages (predict, pause, stop) in between training steps: awaits alone only drain microtasks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
