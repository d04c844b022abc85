/**
 * Which peer processes a run starts and how: ours (one per tinyflow backend), tfjs on its cpu and wasm
 * backends, and numpy twice, once on reference BLAS and once on OpenBLAS. A peer that cannot run here
 * is listed with the reason, so the report says what was not compared instead of leaving it out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableBackends } from '../../backends';

export interface PeerSpec {
  name: string;
  ours: boolean;
  command: string;
  args: string[];
  /** Variables to set (a string) or remove (undefined) in the peer's environment only. */
  env: Record<string, string | undefined>;
  variant: string;
  unavailable?: string;
}

export const PEER_NAMES = ['tfjs-cpu', 'tfjs-wasm', 'numpy-openblas', 'numpy-reference'] as const;

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** A TypeScript peer runs in its own node with tsx's loader, resolved here so any working directory works. */
function nodePeer(name: string, ours: boolean, script: string, variant: string): PeerSpec {
  return { name, ours, command: process.execPath, args: ['--import', import.meta.resolve('tsx'), here(script)], env: {}, variant };
}

/** Debian's python, not one on PATH: it is the one apt's python3-numpy and BLAS libraries belong to. */
export const PYTHON = '/usr/bin/python3';
const LIB = '/usr/lib/x86_64-linux-gnu';
/** Each BLAS's directory holds its own libblas.so.3; LD_LIBRARY_PATH puts it ahead of the alternatives' choice. */
const BLAS_DIRS: Record<string, string> = { 'numpy-openblas': `${LIB}/openblas-pthread`, 'numpy-reference': `${LIB}/blas` };

function numpyMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (install Debian's python3-numpy)`;
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return `numpy is not importable by ${PYTHON} (apt-get install python3-numpy)`;
  return undefined;
}

function numpyPeer(name: string, missing: string | undefined): PeerSpec {
  const dir = BLAS_DIRS[name];
  const unavailable = missing ?? (existsSync(`${dir}/libblas.so.3`) ? undefined : `${dir}/libblas.so.3 not found`);
  // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set machine-wide to pin OpenBLAS; unset here so it tunes itself.
  const env = { LD_LIBRARY_PATH: dir, OPENBLAS_CORETYPE: undefined, OPENBLAS_L2_SIZE: undefined };
  return { name, ours: false, command: PYTHON, args: [here('./numpy_peer.py')], env, variant: name, ...(unavailable ? { unavailable } : {}) };
}

/** Ours on `backends` (all available ones when empty), then the selected peers. */
export async function listPeers(backends: readonly string[], peers: readonly string[]): Promise<PeerSpec[]> {
  const specs: PeerSpec[] = [];
  for (const info of await availableBackends()) {
    if (backends.length > 0 ? !backends.includes(info.name) : false) continue;
    const spec = nodePeer(`ours-${info.name}`, true, './tinyflow.ts', info.name);
    specs.push(info.available ? spec : { ...spec, unavailable: info.reason ?? 'unavailable' });
  }
  const unknown = backends.filter((b) => !specs.some((s) => s.variant === b));
  if (unknown.length > 0) throw new Error(`unknown backend(s) ${unknown.join(', ')}; registered: ${(await availableBackends()).map((b) => b.name).join(', ')}`);
  const missing = peers.some((p) => p.startsWith('numpy')) ? numpyMissing() : undefined;
  for (const name of peers) {
    if (name === 'tfjs-cpu' || name === 'tfjs-wasm') specs.push(nodePeer(name, false, './tfjs.ts', name.slice('tfjs-'.length)));
    else specs.push(numpyPeer(name, missing));
  }
  return specs;
}
