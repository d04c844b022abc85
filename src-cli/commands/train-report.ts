/** What `tinyflow train` prints while training: a live bar (or ~10% lines when piped) and one line per epoch. */
import cliProgress from 'cli-progress';
import type { EpochReport, TrainProgress } from '../../src-core/training/train-loop';

export interface TrainReporter {
  update(p: TrainProgress): void;
  epoch(e: EpochReport): void;
  stop(): void;
}

export function epochLine(e: EpochReport): string {
  return `epoch ${e.epoch} · step ${e.step} · loss ${e.meanLoss.toFixed(4)} · test accuracy ${e.testAccuracy.toFixed(4)}`;
}

export function trainReporter(silent: boolean): TrainReporter {
  if (silent) return { update: () => undefined, epoch: () => undefined, stop: () => undefined };
  return process.stdout.isTTY ? barReporter() : lineReporter();
}

function lineReporter(): TrainReporter {
  let lastDecile = -1;
  return {
    update(p) {
      const decile = Math.floor((p.step / Math.max(p.totalSteps, 1)) * 10);
      if (decile !== lastDecile || p.testAccuracy !== undefined) {
        lastDecile = decile;
        const acc = p.testAccuracy !== undefined ? ` · test accuracy ${p.testAccuracy.toFixed(4)}` : '';
        console.log(`step ${p.step}/${p.totalSteps} · loss ${p.loss.toFixed(4)} · ${p.examplesPerSecond.toFixed(0)} examples/s${acc}`);
      }
    },
    epoch: (e) => console.log(epochLine(e)),
    stop: () => undefined,
  };
}

function barReporter(): TrainReporter {
  const bar = new cliProgress.SingleBar(
    { format: 'train [{bar}] {value}/{total} steps · loss {loss} · {rate} examples/s · eta {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { loss: p.loss.toFixed(4), rate: p.examplesPerSecond.toFixed(0) };
      if (!started) {
        bar.start(p.totalSteps, 0, payload);
        started = true;
      }
      bar.update(p.step, payload);
    },
    // Clear the bar's line first; the bar redraws itself on the next update.
    epoch: (e) => process.stdout.write(`\r\x1b[K${epochLine(e)}\n`),
    stop: () => started && bar.stop(),
  };
}
