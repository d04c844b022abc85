/**
 * The op-coverage table, generated from the registry: every primitive of backends/interface.ts per
 * registered backend, as native (a required kernel), fused (an optional fused kernel the backend has),
 * lowered (an optional kernel it lacks: the compiler lowers to primitives) or unavailable (it failed to start).
 */
import { BINARY_OPS, UNARY_OPS } from '../../backends/interface';
import { createBackend, registeredBackends, type Backend } from '../../backends';
import type { Coverage } from '../../src-app-api/schemas';

type Support = Coverage['rows'][number]['support'][number];

const REQUIRED: [group: string, names: readonly string[]][] = [
  ['buffer', ['fill', 'cast', 'stridedCopy']],
  ['unary', UNARY_OPS],
  ['binary', BINARY_OPS],
  ['reduce', ['reduce:sum', 'reduce:max', 'reduce:min', 'reduce:prod', 'argReduce:argmax', 'argReduce:argmin']],
  ['matmul', ['matmul']],
];
/** Optional fused kernels, by the Backend method name. */
const FUSED = ['softmax'] as const;

export async function opCoverage(): Promise<Coverage> {
  const backends = registeredBackends();
  const instances: (Backend | null)[] = [];
  for (const name of backends) {
    try {
      instances.push(await createBackend(name));
    } catch {
      instances.push(null);
    }
  }
  const rows: Coverage['rows'] = [];
  for (const [group, names] of REQUIRED) {
    for (const primitive of names) rows.push({ primitive, group, support: instances.map((b): Support => (b ? 'native' : 'unavailable')) });
  }
  for (const primitive of FUSED) {
    rows.push({ primitive, group: 'fused', support: instances.map((b): Support => (b ? (typeof b[primitive] === 'function' ? 'fused' : 'lowered') : 'unavailable')) });
  }
  for (const b of instances) b?.dispose();
  return { backends, rows };
}
