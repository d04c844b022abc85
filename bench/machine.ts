/** The machine a run was measured on, so results from different machines are not compared by mistake. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15-minute load averages: on a shared machine, a load above the core count means noisy numbers. */
  loadAverageStart: number[];
  loadAverageEnd: number[];
}

function cpuModel(): string {
  try {
    // /proc/cpuinfo names the model even where os.cpus() reports a generic string.
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // Not Linux: fall through to what node knows.
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageStart: loadavg(),
    loadAverageEnd: loadavg(),
  };
}
