/** `tinyflow info`: the registered backends (priority, availability and why not, capabilities) and op types. */
import { parseArgs } from 'node:util';
// The framework first: importing it registers every op, which is what the op list reports.
import '../../src-core';
import { registeredOpTypes } from '../../src-core/ops/op-def';
import { availableBackends, type BackendInfo } from '../../backends';

export const INFO_USAGE = `tinyflow info [options]
  --json            print the report as JSON`;

export interface InfoReport {
  /** Best first, as a session asking for the best backend would try them. */
  backends: BackendInfo[];
  ops: string[];
}

export async function gatherInfo(): Promise<InfoReport> {
  return { backends: await availableBackends(), ops: registeredOpTypes() };
}

export async function infoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { json: { type: 'boolean', default: false } } });
  const report = await gatherInfo();
  // JSON has no Infinity (an unlimited max buffer): spell it out rather than print null.
  console.log(values.json ? JSON.stringify(report, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2) : formatInfo(report));
  return 0;
}

function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : 'unlimited';
}

function backendRow(b: BackendInfo): string[] {
  const init = b.syncInit === undefined ? '-' : b.syncInit ? 'sync' : 'async';
  if (!b.available) return [b.name, String(b.priority), 'unavailable', init, `(${b.reason ?? 'no reason given'})`];
  const caps = b.capabilities;
  return [
    b.name, String(b.priority), 'available', init, caps?.dtypes.join(' ') ?? '-', caps?.sync ? 'yes' : 'no',
    caps ? formatCount(caps.maxBufferElements) : '-', b.fusedKernels?.join(' ') || 'none', adapterCell(b),
  ];
}

/** A GPU backend's adapter, flagged when it is a software (fallback) one: correct, but slower than cpu. */
function adapterCell(b: BackendInfo): string {
  const adapter = b.capabilities?.adapter;
  if (adapter === undefined) return '-';
  return adapter.software ? `${adapter.description}, software adapter` : adapter.description;
}

/** Left-aligned columns; a row may stop early (an unavailable backend's reason runs to the end of the line). */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, row.length > i + 1 ? cell.length : 0)));
  return rows.map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  ').trimEnd());
}

/** Op names wrapped to `width` columns. */
function wrap(words: string[], width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line !== '' && indent.length + line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else {
      line = line === '' ? w : `${line} ${w}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** The backend everything starts on by default: the best available one. */
function defaultLine(backends: BackendInfo[]): string {
  const best = backends.find((b) => b.available);
  return best ? `default: ${best.name} (the fastest available; tf.Session(), tinyflow train and the studio start on it)` : 'default: none (no backend is available here)';
}

export function formatInfo({ backends, ops }: InfoReport): string {
  const header = ['backend', 'priority', 'status', 'init', 'dtypes', 'readSync', 'max buffer', 'fused kernels', 'adapter'];
  return [
    `backends (${backends.length} registered, best first):`,
    ...table([header, ...backends.map(backendRow)]).map((l) => `  ${l}`),
    defaultLine(backends),
    '',
    `ops (${ops.length} registered):`,
    ...wrap(ops, 100, '  '),
  ].join('\n');
}
