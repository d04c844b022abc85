/** The Train view's numbers in words, kept out of the template so they can be tested. */
import type { TrainConfig } from '../../src-app-api/schemas';

/** "45 s", "3 min 20 s"; null when there is nothing to estimate. */
export function formatEta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** The running session's settings in one line: "sgd · learning rate 0.5 · batch 100 · 5 epochs · bundled MNIST". */
export function describeSettings(c: TrainConfig): string {
  const length = c.steps !== null ? `${c.steps} steps` : `${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`;
  const data = c.dataDir === null ? 'bundled MNIST' : c.dataDir;
  return `${c.optimizer} · learning rate ${c.learningRate} · batch ${c.batchSize} · ${length} · ${data}`;
}
