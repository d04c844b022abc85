/**
 * Resident memory, measured the same way in every peer (the numpy peer does the same in Python):
 * the process's own high-water mark, reset before each workload through /proc/self/clear_refs and read
 * from VmHWM in /proc/self/status, so each workload gets its own peak rather than the largest one so
 * far. Import this module first in a peer: its start reading is then taken before the library loads.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const MIB = 2 ** 20;

/** RSS when this module was evaluated: node and tsx's loader, before the library under test. */
export const START_RSS_MIB = process.memoryUsage().rss / MIB;

/** Resets the peak to the current RSS; false where the kernel does not offer it (not Linux). */
export function resetPeakRss(): boolean {
  try {
    // "5" resets the peak resident set size (Linux 4.0+), which getrusage's maxrss and VmHWM report.
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The peak RSS since the last reset (or since start), in MiB. */
export function peakRssMiB(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    if (line) return Number.parseInt(line.slice('VmHWM:'.length), 10) / 1024;
  } catch {
    // Not Linux: getrusage's maxRSS is the whole process's peak, never reset.
  }
  // maxRSS is in KiB on Linux and macOS.
  return process.resourceUsage().maxRSS / 1024;
}
