/** A bench run as text: the table printed on stdout and bench/results/latest.md. */
import type { Measurement, WorkloadPlan } from './protocol';
import type { BenchResult, PeerResult } from './result';
import { targetsTable } from './targets';

type Table = { header: string[]; rows: string[][] };

function fixed(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

/** A ratio with two significant digits at least, so 0.0011× (ours far faster) does not print as 0.00×. */
function times(ratio: number): string {
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}

function micros(ms: number): string {
  const us = ms * 1000;
  return us >= 100 ? us.toFixed(0) : us.toFixed(1);
}

/** GFLOP/s for a product, µs per dispatch or round trip, steps/s for a training step. */
function rate(plan: WorkloadPlan | undefined, ms: number, dispatchMs?: number): string {
  if (plan && plan.flopsPerStep > 0) return `${(plan.flopsPerStep / (ms * 1e6)).toFixed(1)} GFLOP/s`;
  if (plan?.kind === 'dispatch' && plan.readback === true) {
    const readback = dispatchMs === undefined ? '' : ` (readback ≈ ${micros(Math.max(0, ms - dispatchMs))} µs)`;
    return `${micros(ms)} µs/round trip${readback}`;
  }
  if (plan?.kind === 'dispatch') return `${micros(ms)} µs/dispatch`;
  return `${(1000 / ms).toFixed(ms < 1000 ? 0 : 2)} steps/s`;
}

/** A peer's name as a row shows it: a software WebGPU adapter is marked, since its speed says nothing about GPUs. */
function peerLabel(peer: PeerResult): string {
  return peer.softwareAdapter !== undefined ? `${peer.name} (software adapter)` : peer.name;
}

function rss(m: Measurement): string {
  return m.peakRssMiB === undefined ? '-' : m.peakRssMiB.toFixed(0);
}

function resultsTable(result: BenchResult, plans: readonly WorkloadPlan[]): Table {
  const header = ['workload', 'peer', 'median ms/step', 'min', 'max', 'rate', 'CPU ms/step', 'steps×reps', 'peak RSS MiB', 'vs best peer (pass rows: vs ours with every pass on)'];
  const rows: string[][] = [];
  for (const plan of plans) {
    for (const peer of result.peers) {
      const m: Measurement | undefined = peer.output?.measurements.find((x) => x.id === plan.id);
      const skip = peer.output?.skipped.find((x) => x.id === plan.id);
      if (skip) rows.push([plan.id, peerLabel(peer), `skipped: ${skip.reason}`]);
      if (!m) continue;
      const ratio = result.ratios.find((r) => r.workload === plan.id && r.ours === peer.name);
      const pass = result.passRatios?.find((r) => r.workload === plan.id && r.peer === peer.name);
      const vs = ratio
        ? `${times(ratio.ratio)} ${ratio.bestPeer} (CPU ${times(ratio.cpuRatio)})`
        : pass ? `${times(pass.ratio)} ${pass.baseline} (CPU ${times(pass.cpuRatio)})` : '';
      const note = m.note ? `(${m.note})` : '';
      const dispatchMs = peer.output?.measurements.find((x) => x.id === 'dispatch')?.medianMs;
      rows.push([
        plan.id, peerLabel(peer), fixed(m.medianMs), fixed(m.minMs), fixed(m.maxMs), rate(plan, m.medianMs, dispatchMs), fixed(m.cpuMedianMs),
        `${m.stepsPerRepeat}×${m.repeats}`, rss(m), [vs, note].filter((c) => c !== '').join(' '),
      ]);
    }
  }
  return { header, rows };
}

/** The batch-size sweep as one row per model and peer: steps/s at each batch size, examples/s at the best. */
function sweepTable(result: BenchResult): Table | undefined {
  const sweeps = result.workloads.filter((w) => w.sweep !== undefined);
  if (sweeps.length === 0) return undefined;
  const batches = [...new Set(sweeps.map((w) => w.batch))].sort((a, b) => a - b);
  const header = ['model', 'peer', ...batches.map((b) => `${b}`), 'best examples/s'];
  const rows: string[][] = [];
  for (const model of [...new Set(sweeps.map((w) => w.sweep ?? ''))]) {
    for (const peer of result.peers) {
      if (!peer.output) continue;
      let best = 0;
      const cells = batches.map((batch) => {
        const plan = sweeps.find((w) => w.sweep === model && w.batch === batch);
        const m = plan && peer.output?.measurements.find((x) => x.id === plan.id);
        if (!m) return '-';
        best = Math.max(best, (batch * 1000) / m.medianMs);
        return (1000 / m.medianMs).toPrecision(3);
      });
      if (cells.every((c) => c === '-')) continue;
      rows.push([model, peerLabel(peer), ...cells, best.toFixed(0)]);
    }
  }
  return { header, rows };
}

function peersTable(result: BenchResult): Table {
  const header = ['peer', 'status', 'peak RSS MiB', 'RSS at start MiB', 'process s', 'what ran'];
  const rows = result.peers.map((p) => [
    peerLabel(p), p.status, p.output ? p.output.peakRssMiB.toFixed(0) : '-', p.output?.startRssMiB?.toFixed(0) ?? '-',
    p.processSeconds?.toFixed(1) ?? '-', p.output?.description ?? p.reason ?? '',
  ]);
  return { header, rows };
}

function machineLines(result: BenchResult): string[] {
  const m = result.machine;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  return [
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, node ${m.node}`,
    `load average (1/5/15 min): ${load(m.loadAverageStart)} at start, ${load(m.loadAverageEnd)} at end` +
      (m.loadAverageStart[0] > m.cores || m.loadAverageEnd[0] > m.cores ? ' (above the core count: timings are noisy)' : ''),
    `run: ${result.startedAt} to ${result.finishedAt}${result.options.quick ? ', --quick (smoke run, not a measurement)' : ''}; ` +
      `data: ${result.data.examples} synthetic MNIST-shaped examples, sha256 ${result.data.sha256.slice(0, 12)}`,
    'vs best peer: our wall-clock median ms/step over the fastest peer\'s (> 1: ours is slower), and the same for CPU time; ' +
      'CPU ms/step above the median means the peer used several threads, well below it means it waited for a core',
    'pass rows (ours-wasm -fusion, ...): ours with that compiler pass off (-all: every pass off), over ours with every pass on ' +
      '(+all) measured in the same process, repetitions interleaved: > 1 means the pass makes the workload that many times faster',
    'peak RSS: each peer process\'s own high-water mark (VmHWM), reset before each workload (/proc/self/clear_refs), so a ' +
      'workload\'s figure is its own peak (start-up included); the peers table gives the process\'s peak over all workloads and ' +
      'its RSS before the library loaded (node with tsx\'s loader, or python)',
  ];
}

/** Left-aligned columns; a short row (a skip) runs its last cell to the end of the line. */
function textTable({ header, rows }: Table): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.filter((r) => r.length > i + 1).map((r) => r[i].length), header[i].length));
  return all.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('  ').trimEnd());
}

function markdownTable({ header, rows }: Table): string[] {
  const cells = (r: string[]) => `| ${[...r, ...Array<string>(Math.max(0, header.length - r.length)).fill('')].map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [cells(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(cells)];
}

export function formatText(result: BenchResult): string {
  const sweep = sweepTable(result);
  return [
    ...machineLines(result), '', ...textTable(resultsTable(result, result.workloads)), '',
    ...(sweep ? ['batch-size sweep, steps/s:', ...textTable(sweep), ''] : []),
    'targets (issue 17):', ...textTable(targetsTable(result)), '',
    ...textTable(peersTable(result)),
  ].join('\n');
}

export function formatMarkdown(result: BenchResult): string {
  const sweep = sweepTable(result);
  return [
    '# tinyflow bench', '', ...machineLines(result).map((l) => `- ${l}`), '',
    '## Workloads', '', ...markdownTable(resultsTable(result, result.workloads)), '',
    ...(sweep ? ['## Batch-size sweep (steps/s by batch size)', '', ...markdownTable(sweep), ''] : []),
    '## Targets (issue 17)', '', ...markdownTable(targetsTable(result)), '',
    '## Peers', '', ...markdownTable(peersTable(result)), '',
  ].join('\n');
}
