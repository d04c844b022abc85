/**
 * Host-agnostic loading of the kernels. The compiled WebAssembly.Module is cached per process (per
 * artifact), so after one async load (or one sync load in Node) every backend instantiates
 * synchronously.
 *
 * Two artifacts of the same sources (build.mjs): kernels-relaxed.wasm, whose matmul kernels use
 * relaxed SIMD's fused multiply-add, and kernels.wasm, SIMD128 only. The relaxed one is picked where
 * WebAssembly.validate accepts a relaxed_madd probe, else kernels.wasm; an explicit choice comes from
 * the backend options or $TINYFLOW_WASM_KERNELS. Node 20 validates relaxed SIMD only behind
 * --experimental-wasm-relaxed-simd (refused in NODE_OPTIONS), so in Node the loader sets that V8
 * flag itself (v8.setFlagsFromString, process-wide, so worker threads see it too) before probing;
 * Electron, Chromium and Node 22+ have it on already.
 *
 * - Node: the files sit next to this module; the async path reads them with a dynamic import of
 *   node:fs, the sync path through process.getBuiltinModule (no static node: import, so browser
 *   bundles never see one).
 * - Browser / Electron renderer: fetched from new URL('./kernels*.wasm', import.meta.url), which
 *   bundlers (Vite) turn into asset URLs. Synchronous compilation of large modules is not allowed
 *   on a browser main thread and there is no synchronous fetch, so only the async path works there.
 *
 * The kernels import a *shared* memory (so worker threads can run matmul row ranges over it), and
 * WebAssembly only links an imported memory whose shared flag matches the module's. Where this host
 * cannot create a shared memory (a browser page that is not cross-origin isolated: Chromium refuses
 * SharedArrayBuffer there), the one byte holding that flag is cleared before compiling, which gives
 * the same code over an ordinary memory. That is valid because the module's only atomics are in the
 * linker's run-once memory initialiser, and atomic accesses are allowed on unshared memories; its
 * wait is never reached by the first (and there: only) instance. One artifact serves both hosts.
 */
import { kernelExports, type KernelExports } from './kernel-exports';

/** Which build of the kernels: with relaxed SIMD's fused multiply-add, or SIMD128 alone. */
export type WasmArtifact = 'relaxed-simd' | 'simd128';
export const WASM_ARTIFACTS: readonly WasmArtifact[] = ['relaxed-simd', 'simd128'];

const KERNELS_URL = new URL('./kernels.wasm', import.meta.url);
const RELAXED_KERNELS_URL = new URL('./kernels-relaxed.wasm', import.meta.url);
const ARTIFACT_URLS: Record<WasmArtifact, URL> = { 'relaxed-simd': RELAXED_KERNELS_URL, simd128: KERNELS_URL };

/**
 * (module (func (result v128) (v128.const i32x4 0 0 0 0))): validates only where SIMD is supported.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
]);

/**
 * (module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1)
 * (local.get 2)))): validates only where relaxed SIMD is supported.
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b,
  0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20,
  0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

/** The compiled kernels and the memory their instances link to. */
export interface KernelModule {
  readonly module: WebAssembly.Module;
  /** Which build was compiled. */
  readonly artifact: WasmArtifact;
  /** Why the SIMD128 build runs where relaxed SIMD was not asked against: the host lacks it, or its file failed. */
  readonly fallbackReason?: string;
  /** Whether instances get a shared memory (so workers can join them). */
  readonly shared: boolean;
  /** The memory import's limits, in 64 KiB pages. */
  readonly initialPages: number;
  readonly maximumPages: number;
}

const compiled = new Map<WasmArtifact, KernelModule>();
const compiling = new Map<WasmArtifact, Promise<KernelModule>>();
/** The module an automatic choice settled on (relaxed, or SIMD128 with the reason). */
let automatic: KernelModule | null = null;

function unavailable(reason: string): Error {
  return new Error(`wasm backend unavailable: ${reason}`);
}

/** Whether this host runs WebAssembly with 128-bit SIMD, which every kernel uses. */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(SIMD_PROBE);
}

interface NodeV8 {
  setFlagsFromString(flags: string): void;
}

/**
 * Whether this host's WebAssembly has relaxed SIMD. In Node (20 keeps it behind a V8 flag that
 * NODE_OPTIONS refuses) the flag is set for this process first; it only adds instructions.
 */
export function relaxedSimdSupported(): boolean {
  if (!wasmSimdSupported()) return false;
  if (WebAssembly.validate(RELAXED_SIMD_PROBE)) return true;
  const getBuiltinModule = nodeProcess()?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return false;
  try {
    (getBuiltinModule('node:v8') as NodeV8).setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

function requireSimd(): void {
  if (typeof WebAssembly !== 'object') throw unavailable('this host has no WebAssembly');
  if (!wasmSimdSupported()) throw unavailable('this host\'s WebAssembly does not support 128-bit SIMD');
}

const NO_RELAXED = 'this host\'s WebAssembly has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)';

/** The artifact asked for (option, else $TINYFLOW_WASM_KERNELS in Node), or undefined for the automatic choice. */
function requestedArtifact(requested: WasmArtifact | undefined): WasmArtifact | undefined {
  const value = requested ?? nodeProcess()?.env?.TINYFLOW_WASM_KERNELS;
  if (value === undefined || value === '') return undefined;
  if (!(WASM_ARTIFACTS as readonly string[]).includes(value)) {
    const source = requested === undefined ? 'TINYFLOW_WASM_KERNELS' : 'the wasm backend\'s artifact option';
    throw new Error(`wasm backend: ${source} is '${String(value)}'; use one of ${WASM_ARTIFACTS.join(', ')}`);
  }
  if (value === 'relaxed-simd' && !relaxedSimdSupported()) throw unavailable(`relaxed-simd kernels were asked for, but ${NO_RELAXED}`);
  return value as WasmArtifact;
}

interface NodeFs {
  readFileSync(path: URL): Uint8Array;
}
interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
}

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

function isNode(): boolean {
  return typeof nodeProcess()?.versions?.node === 'string' && KERNELS_URL.protocol === 'file:';
}

/** Whether this host can create a shared WebAssembly.Memory (not in a browser without cross-origin isolation). */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

interface MemoryImport {
  /** Byte offset of the limits flag (bit 0: has a maximum, bit 1: shared). */
  readonly flagOffset: number;
  readonly shared: boolean;
  readonly initialPages: number;
  readonly maximumPages: number;
}

/** Finds the memory import in the module's import section (section 2); the layout is the binary format's. */
function memoryImport(bytes: Uint8Array): MemoryImport {
  let at = 8; // magic and version
  const u32 = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 28) throw unavailable('kernels.wasm is malformed (a LEB128 runs past its end)');
      const byte = bytes[at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  const skipName = (): void => {
    const length = u32();
    at += length;
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = u32();
    const end = at + size;
    if (id === 2) {
      for (let count = u32(); count > 0; count--) {
        skipName();
        skipName();
        const kind = bytes[at++]!;
        if (kind === 0x02) {
          const flagOffset = at;
          const flag = bytes[at++]!;
          const initialPages = u32();
          if ((flag & 1) === 0) throw unavailable('kernels.wasm imports a memory without a maximum (rebuild it: npm run build:wasm)');
          return { flagOffset, shared: (flag & 2) !== 0, initialPages, maximumPages: u32() };
        }
        // Other import kinds: a function (type index), table (ref type + limits) or global (type + mutability).
        if (kind === 0x00) u32();
        else if (kind === 0x01) {
          at++;
          const flag = bytes[at++]!;
          u32();
          if (flag & 1) u32();
        } else at += 2;
      }
    }
    at = end;
  }
  throw unavailable('kernels.wasm does not import its memory (rebuild it: npm run build:wasm)');
}

/** The bytes to compile here and how to link them: the shared flag cleared where no shared memory can be made. */
function prepare(bytes: Uint8Array): { bytes: Uint8Array; description: Omit<KernelModule, 'module' | 'artifact'> } {
  const memory = memoryImport(bytes);
  const shared = memory.shared && sharedMemorySupported();
  let prepared = bytes;
  if (memory.shared && !shared) {
    prepared = bytes.slice();
    prepared[memory.flagOffset] = prepared[memory.flagOffset]! & ~2;
  }
  return { bytes: prepared, description: { shared, initialPages: memory.initialPages, maximumPages: memory.maximumPages } };
}

function fileName(artifact: WasmArtifact): string {
  return artifact === 'simd128' ? 'kernels.wasm' : 'kernels-relaxed.wasm';
}

function readSync(artifact: WasmArtifact): Uint8Array {
  const getBuiltinModule = nodeProcess()?.getBuiltinModule;
  if (!isNode() || typeof getBuiltinModule !== 'function') {
    throw unavailable(
      'the kernels cannot be loaded synchronously in this host (only Node can read them synchronously); ' +
        'await createWasmBackendAsync() or loadWasmKernels() first',
    );
  }
  const fs = getBuiltinModule('node:fs') as NodeFs;
  const url = ARTIFACT_URLS[artifact];
  try {
    return fs.readFileSync(url);
  } catch (error) {
    throw unavailable(`cannot read ${url.href}: ${(error as Error).message} (build it: npm run build:wasm)`);
  }
}

function compileSync(artifact: WasmArtifact): KernelModule {
  const { bytes: prepared, description } = prepare(readSync(artifact));
  try {
    return { module: new WebAssembly.Module(prepared as Uint8Array<ArrayBuffer>), artifact, ...description };
  } catch (error) {
    throw unavailable(`${fileName(artifact)} does not compile here: ${(error as Error).message}`);
  }
}

function cachedSync(artifact: WasmArtifact): KernelModule {
  let module = compiled.get(artifact);
  if (module === undefined) {
    module = compileSync(artifact);
    compiled.set(artifact, module);
  }
  return module;
}

/**
 * The compiled module, loading it synchronously if need be; throws where the host cannot. Without
 * `requested` (and $TINYFLOW_WASM_KERNELS), the relaxed build where the host has relaxed SIMD and its
 * file loads, else the SIMD128 one with the reason.
 */
export function kernelModuleSync(requested?: WasmArtifact): KernelModule {
  requireSimd();
  const explicit = requestedArtifact(requested);
  if (explicit !== undefined) return cachedSync(explicit);
  if (automatic !== null) return automatic;
  let fallbackReason = NO_RELAXED;
  if (relaxedSimdSupported()) {
    try {
      return (automatic = cachedSync('relaxed-simd'));
    } catch (error) {
      // A package or bundle without the relaxed file (or a file that fails) still has the SIMD128 one.
      if (!isNode() || typeof nodeProcess()?.getBuiltinModule !== 'function') throw error;
      fallbackReason = (error as Error).message;
    }
  }
  return (automatic = { ...cachedSync('simd128'), fallbackReason });
}

async function fetchBytes(artifact: WasmArtifact): Promise<Uint8Array> {
  const url = ARTIFACT_URLS[artifact];
  if (isNode()) {
    const fs = await import('node:fs/promises');
    try {
      return await fs.readFile(url);
    } catch (error) {
      throw unavailable(`cannot read ${url.href}: ${(error as Error).message} (build it: npm run build:wasm)`);
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw unavailable(`fetching ${url.href} failed: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function loadArtifact(artifact: WasmArtifact): Promise<KernelModule> {
  const done = compiled.get(artifact);
  if (done !== undefined) return Promise.resolve(done);
  let pending = compiling.get(artifact);
  if (pending === undefined) {
    pending = (async () => {
      const { bytes, description } = prepare(await fetchBytes(artifact));
      let module: WebAssembly.Module;
      try {
        module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
      } catch (error) {
        throw unavailable(`${fileName(artifact)} does not compile here: ${(error as Error).message}`);
      }
      const result: KernelModule = { module, artifact, ...description };
      compiled.set(artifact, result);
      return result;
    })();
    compiling.set(artifact, pending);
    // A failed load may succeed later (a network error): forget it.
    pending.catch(() => compiling.delete(artifact));
  }
  return pending;
}

/** Compiles the kernels once (asynchronously, so it works on a browser main thread too); see kernelModuleSync for the choice. */
export async function loadWasmKernels(requested?: WasmArtifact): Promise<KernelModule> {
  requireSimd();
  const explicit = requestedArtifact(requested);
  if (explicit !== undefined) return loadArtifact(explicit);
  if (automatic !== null) return automatic;
  let fallbackReason = NO_RELAXED;
  if (relaxedSimdSupported()) {
    try {
      return (automatic = await loadArtifact('relaxed-simd'));
    } catch (error) {
      fallbackReason = (error as Error).message;
    }
  }
  const simd128 = await loadArtifact('simd128');
  return (automatic = { ...simd128, fallbackReason });
}
/** A fresh instance of the compiled module over a fresh memory of its own. */
export function instantiateKernels(kernels: KernelModule): KernelExports {
  const memory = new WebAssembly.Memory({ initial: kernels.initialPages, maximum: kernels.maximumPages, shared: kernels.shared });
  return kernelExports(new WebAssembly.Instance(kernels.module, { env: { memory } }), memory);
}
