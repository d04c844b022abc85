/** A bench run as text: the table printed on stdout and bench/results/latest.md. */
import type { Measurement, WorkloadPlan } from './protocol';
import type { BenchResult } from './result';

type Table = { header: string[]; rows: string[][] };

function fixed(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

/** A ratio with two significant digits at least, so 0.0011× (ours far faster) does not print as 0.00×. */
function times(ratio: number): string {
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}

/** GFLOP/s for a product, steps/s for a training step. */
function rate(plan: WorkloadPlan | undefined, ms: number): string {
  if (plan && plan.flopsPerStep > 0) return `${(plan.flopsPerStep / (ms * 1e6)).toFixed(1)} GFLOP/s`;
  return `${(1000 / ms).toFixed(ms < 1000 ? 0 : 2)} steps/s`;
}

function resultsTable(result: BenchResult): Table {
  const header = ['workload', 'peer', 'median ms/step', 'min', 'max', 'rate', 'CPU ms/step', 'steps×reps', 'vs best peer'];
  const rows: string[][] = [];
  for (const plan of result.workloads) {
    for (const peer of result.peers) {
      const m: Measurement | undefined = peer.output?.measurements.find((x) => x.id === plan.id);
      const skip = peer.output?.skipped.find((x) => x.id === plan.id);
      if (skip) rows.push([plan.id, peer.name, `skipped: ${skip.reason}`]);
      if (!m) continue;
      const ratio = result.ratios.find((r) => r.workload === plan.id && r.ours === peer.name);
      const vs = ratio ? `${times(ratio.ratio)} ${ratio.bestPeer} (CPU ${times(ratio.cpuRatio)})` : '';
      const note = m.note ? `(${m.note})` : '';
      rows.push([
        plan.id, peer.name, fixed(m.medianMs), fixed(m.minMs), fixed(m.maxMs), rate(plan, m.medianMs), fixed(m.cpuMedianMs),
        `${m.stepsPerRepeat}×${m.repeats}`, [vs, note].filter((c) => c !== '').join(' '),
      ]);
    }
  }
  return { header, rows };
}

function peersTable(result: BenchResult): Table {
  const header = ['peer', 'status', 'peak RSS MiB', 'process s', 'what ran'];
  const rows = result.peers.map((p) => [
    p.name, p.status, p.output ? p.output.peakRssMiB.toFixed(0) : '-', p.processSeconds?.toFixed(1) ?? '-', p.output?.description ?? p.reason ?? '',
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
  return [...machineLines(result), '', ...textTable(resultsTable(result)), '', ...textTable(peersTable(result))].join('\n');
}

export function formatMarkdown(result: BenchResult): string {
  return [
    '# tinyflow bench', '', ...machineLines(result).map((l) => `- ${l}`), '',
    '## Workloads', '', ...markdownTable(resultsTable(result)), '',
    '## Peers', '', ...markdownTable(peersTable(result)), '',
  ].join('\n');
}
