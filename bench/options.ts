/** `npm run bench` / `tinyflow bench` options. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, parseNumber } from '../src-cli/usage';
import { WORKLOAD_KINDS, type WorkloadKind } from './protocol';
import { PEER_NAMES } from './peers/list';

export const BENCH_USAGE = `tinyflow bench [options]   (also: npm run bench -- [options])
  --backends LIST   our backends, comma-separated (default: every available one)
  --peers LIST      peers to compare against (default: ${PEER_NAMES.join(',')})
  --workloads LIST  ${WORKLOAD_KINDS.join(',')} (default: all)
  --repeats N       timed repetitions per workload (default 3)
  --quick           tiny step counts: a smoke run, not a measurement
  --json            print the results as JSON instead of a table
  --out DIR         where to write <timestamp>.json and latest.md (default bench/results)`;

export interface BenchOptions {
  backends: string[];
  peers: string[];
  workloads: WorkloadKind[];
  repeats: number;
  quick: boolean;
  json: boolean;
  out: string;
}

function list<T extends string>(flag: string, text: string | undefined, allowed: readonly T[] | null, all: readonly T[]): T[] {
  if (text === undefined) return [...all];
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = allowed === null ? [] : items.filter((i) => !(allowed as readonly string[]).includes(i));
  if (bad.length > 0) throw new UsageError(`${flag}: unknown ${bad.join(', ')} (choose from ${allowed?.join(', ')})`);
  return items as T[];
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      backends: { type: 'string' },
      peers: { type: 'string' },
      workloads: { type: 'string' },
      repeats: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  return {
    // Backend names are checked against the registry when the peers are listed.
    backends: list('--backends', values.backends, null, []),
    peers: list('--peers', values.peers, PEER_NAMES, PEER_NAMES),
    workloads: list('--workloads', values.workloads, WORKLOAD_KINDS, WORKLOAD_KINDS),
    repeats: values.repeats === undefined ? 3 : parseNumber('--repeats', values.repeats, { integer: true, min: 1 }),
    quick: values.quick,
    json: values.json,
    out: values.out ?? fileURLToPath(new URL('./results', import.meta.url)),
  };
}
