/** `npm run bench` / `tinyflow bench` options. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, parseNumber } from '../src-cli/usage';
import { PASS_NAMES, WORKLOAD_KINDS, type WorkloadKind } from './protocol';
import { PEER_NAMES } from './peers/list';

/** One row per pass switched off, and one with every pass off ('all'). */
export const PASS_CHOICES = [...PASS_NAMES, 'all'] as const;
export type PassChoice = (typeof PASS_CHOICES)[number];
/** Our backends the pass rows run on: the ones a user gets by default in Node. */
export const PASS_BACKENDS = ['wasm', 'cpu'];
/** The workloads the pass rows run: the graph-heavy ones; matmul goes straight to a kernel, no compiler. */
export const PASS_WORKLOADS: readonly WorkloadKind[] = ['seed', 'mlp'];

export const BENCH_USAGE = `tinyflow bench [options]   (also: npm run bench -- [options])
  --backends LIST   our backends, comma-separated (default: every available one)
  --peers LIST      peers to compare against, or none (default: ${PEER_NAMES.join(',')})
  --workloads LIST  ${WORKLOAD_KINDS.join(',')} (default: all, except tfjs-cpu's LeNet, a single
                    step of which takes minutes; naming lenet here runs that too)
  --repeats N       timed repetitions per workload (default 3)
  --passes LIST     also run ours (${PASS_BACKENDS.join(', ')}) on ${PASS_WORKLOADS.join(' and ')} with each listed compiler pass
                    switched off, to show each pass's worth as a ratio to ours with every pass on:
                    ${PASS_CHOICES.join(',')} ('all': every pass off at once), or none
                    (default: all of them; none with --quick)
  --no-passes       the same as --passes none
  --sweep           MLP and LeNet at batch sizes 32 to 1024 (short runs) instead of their usual batch
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
  /** Which pass-off rows to add (empty: none). */
  passes: PassChoice[];
  sweep: boolean;
  /** --workloads was given: run what it names on every peer, the slow ones included. */
  workloadsNamed: boolean;
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
      passes: { type: 'string' },
      'no-passes': { type: 'boolean', default: false },
      sweep: { type: 'boolean', default: false },
    },
  });
  if (values['no-passes'] && values.passes !== undefined) throw new UsageError('--passes and --no-passes contradict each other');
  const passesText = values['no-passes'] || values.passes === 'none' ? '' : values.passes;
  // A smoke run stays short: the pass rows are many processes, so --quick leaves them out unless asked.
  const passes = passesText === undefined && values.quick ? [] : list('--passes', passesText, PASS_CHOICES, PASS_CHOICES);
  return {
    // Backend names are checked against the registry when the peers are listed.
    backends: list('--backends', values.backends, null, []),
    peers: list('--peers', values.peers === 'none' ? '' : values.peers, PEER_NAMES, PEER_NAMES),
    workloads: list('--workloads', values.workloads, WORKLOAD_KINDS, WORKLOAD_KINDS),
    repeats: values.repeats === undefined ? 3 : parseNumber('--repeats', values.repeats, { integer: true, min: 1 }),
    quick: values.quick,
    json: values.json,
    out: values.out ?? fileURLToPath(new URL('./results', import.meta.url)),
    passes,
    sweep: values.sweep,
    workloadsNamed: values.workloads !== undefined,
  };
}
