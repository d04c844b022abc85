/**
 * Which peer processes a run starts and how: ours (one per tinyflow backend), tfjs on its cpu and wasm
 * backends, and numpy twice, once on reference BLAS and once on OpenBLAS. A peer that cannot run here
 * is listed with the reason, so the report says what was not compared instead of leaving it out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableBackends, backendInfo, registeredBackends, type BackendInfo } from '../../backends';
import { createWebGpuBackendAsync } from '../../backends/webgpu';
import type { Optimizations, PassName, Variant, WorkloadKind } from '../protocol';

export interface PeerSpec {
  name: string;
  ours: boolean;
  command: string;
  args: string[];
  /** Variables to set (a string) or remove (undefined) in the peer's environment only. */
  env: Record<string, string | undefined>;
  variant: string;
  unavailable?: string;
  /** Runs only these kinds of workload (absent: every planned one). */
  kinds?: readonly WorkloadKind[];
  /** Ours: the compiler passes to switch off (see protocol.ts). */
  optimizations?: Optimizations;
  /** Pass rows: configurations measured interleaved with this (every pass on) one (see protocol.ts). */
  variants?: Variant[];
  /** Ours on webgpu through a software adapter (the registered factory refuses those): its description. */
  softwareAdapter?: string;
}

/** A pass row's name: 'ours-wasm -fusion', 'ours-wasm -all'. */
export function passPeerName(backend: string, pass: string): string {
  return `ours-${backend} -${pass}`;
}

/** The control the pass rows are compared to: ours with every pass on, measured in the same process. */
export function passControlName(backend: string): string {
  return `ours-${backend} +all`;
}

/**
 * numpy three ways: 'numpy-openblas' as fast as numpy goes (float32, preallocated, in place),
 * 'numpy-openblas-f64' the seed blog's float64 program on the same BLAS, 'numpy-reference' the blog's
 * program on reference BLAS (see numpy_peer.py).
 */
export const PEER_NAMES = ['tfjs-cpu', 'tfjs-wasm', 'numpy-openblas', 'numpy-openblas-f64', 'numpy-reference'] as const;

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** A TypeScript peer runs in its own node with tsx's loader, resolved here so any working directory works. */
function nodePeer(name: string, ours: boolean, script: string, variant: string): PeerSpec {
  // --expose-gc: the harness collects between workloads so each workload's peak RSS is its own.
  return { name, ours, command: process.execPath, args: ['--expose-gc', '--import', import.meta.resolve('tsx'), here(script)], env: {}, variant };
}

/** Debian's python, not one on PATH: it is the one apt's python3-numpy and BLAS libraries belong to. */
export const PYTHON = '/usr/bin/python3';
const LIB = '/usr/lib/x86_64-linux-gnu';
/** Each BLAS's directory holds its own libblas.so.3; LD_LIBRARY_PATH puts it ahead of the alternatives' choice. */
const BLAS_DIRS: Record<string, string> = {
  'numpy-openblas': `${LIB}/openblas-pthread`, 'numpy-openblas-f64': `${LIB}/openblas-pthread`, 'numpy-reference': `${LIB}/blas`,
};

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

/**
 * The registered webgpu factory takes hardware adapters only. Named explicitly (the backend sweep),
 * webgpu runs on whatever adapter there is, and a software one is marked as such in the report.
 */
async function softwareWebGpu(): Promise<string | undefined> {
  try {
    const backend = await createWebGpuBackendAsync();
    const { software, description } = backend.ctx;
    backend.dispose();
    return software ? description : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The backends to run: only the named ones are probed (a probe of webgpu loads Dawn and opens a
 * device, seconds of start-up for nothing when only wasm is asked for); all registered ones otherwise.
 */
async function backendInfos(backends: readonly string[]): Promise<BackendInfo[]> {
  if (backends.length === 0) return availableBackends();
  const all = await Promise.all(backends.map(async (name) => {
    try {
      return await backendInfo(name);
    } catch {
      return undefined; // An unknown name: reported below with the registered ones.
    }
  }));
  const known = all.filter((i): i is BackendInfo => i !== undefined);
  if (known.length < backends.length) {
    const unknown = backends.filter((b) => !known.some((i) => i.name === b));
    throw new Error(`unknown backend(s) ${unknown.join(', ')}; registered: ${registeredBackends().join(', ')}`);
  }
  return known;
}

/**
 * One process for the pass rows of a backend: ours with every pass on (the control) and with each
 * chosen pass off, interleaved, so the ratios are not at the mercy of the machine's load between
 * processes minutes apart.
 */
function passSpec(base: PeerSpec, passes: readonly (PassName | 'all')[], kinds: readonly WorkloadKind[]): PeerSpec {
  const variants = passes.map((pass): Variant => ({ label: pass, optimizations: pass === 'all' ? false : { [pass]: false } }));
  return { ...base, name: passControlName(base.variant), kinds, variants };
}

export interface PassRows {
  passes: readonly (PassName | 'all')[];
  backends: readonly string[];
  kinds: readonly WorkloadKind[];
}

/** Ours on `backends` (all available ones when empty), each followed by its pass rows, then the selected peers. */
export async function listPeers(backends: readonly string[], peers: readonly string[], passRows?: PassRows): Promise<PeerSpec[]> {
  const specs: PeerSpec[] = [];
  for (const info of await backendInfos(backends)) {
    const spec = nodePeer(`ours-${info.name}`, true, './tinyflow.ts', info.name);
    if (!info.available) {
      const software = info.name === 'webgpu' && backends.includes('webgpu') ? await softwareWebGpu() : undefined;
      specs.push(software !== undefined ? { ...spec, softwareAdapter: software } : { ...spec, unavailable: info.reason ?? 'unavailable' });
      continue;
    }
    specs.push(spec);
    if (passRows && passRows.passes.length > 0 && passRows.backends.includes(info.name)) specs.push(passSpec(spec, passRows.passes, passRows.kinds));
  }
  const missing = peers.some((p) => p.startsWith('numpy')) ? numpyMissing() : undefined;
  for (const name of peers) {
    if (name === 'tfjs-cpu' || name === 'tfjs-wasm') specs.push(nodePeer(name, false, './tfjs.ts', name.slice('tfjs-'.length)));
    else specs.push(numpyPeer(name, missing));
  }
  return specs;
}
