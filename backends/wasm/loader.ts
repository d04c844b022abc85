/**
 * Host-agnostic loading of kernels.wasm. The compiled WebAssembly.Module is cached per process, so
 * after one async load (or one sync load in Node) every backend instantiates synchronously.
 *
 * - Node: the file sits next to this module; the async path reads it with a dynamic import of
 *   node:fs, the sync path through process.getBuiltinModule (no static node: import, so browser
 *   bundles never see one).
 * - Browser / Electron renderer: fetched from new URL('./kernels.wasm', import.meta.url), which
 *   bundlers (Vite) turn into an asset URL. Synchronous compilation of large modules is not allowed
 *   on a browser main thread and there is no synchronous fetch, so only the async path works there.
 *
 * kernels.wasm imports a *shared* memory (so worker threads can run matmul row ranges over it), and
 * WebAssembly only links an imported memory whose shared flag matches the module's. Where this host
 * cannot create a shared memory (a browser page that is not cross-origin isolated: Chromium refuses
 * SharedArrayBuffer there), the one byte holding that flag is cleared before compiling, which gives
 * the same code over an ordinary memory. That is valid because the module's only atomics are in the
 * linker's run-once memory initialiser, and atomic accesses are allowed on unshared memories; its
 * wait is never reached by the first (and there: only) instance. One artifact serves both hosts.
 */
import { kernelExports, type KernelExports } from './kernel-exports';

const KERNELS_URL = new URL('./kernels.wasm', import.meta.url);

/**
 * (module (func (result v128) (v128.const i32x4 0 0 0 0))): validates only where SIMD is supported.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
]);

/** The compiled kernels and the memory their instances link to. */
export interface KernelModule {
  readonly module: WebAssembly.Module;
  /** Whether instances get a shared memory (so workers can join them). */
  readonly shared: boolean;
  /** The memory import's limits, in 64 KiB pages. */
  readonly initialPages: number;
  readonly maximumPages: number;
}

let compiled: KernelModule | null = null;
let compiling: Promise<KernelModule> | null = null;

function unavailable(reason: string): Error {
  return new Error(`wasm backend unavailable: ${reason}`);
}

/** Whether this host runs WebAssembly with 128-bit SIMD, which every kernel uses. */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(SIMD_PROBE);
}

function requireSimd(): void {
  if (typeof WebAssembly !== 'object') throw unavailable('this host has no WebAssembly');
  if (!wasmSimdSupported()) throw unavailable('this host\'s WebAssembly does not support 128-bit SIMD');
}

interface NodeFs {
  readFileSync(path: URL): Uint8Array;
}
interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  versions?: { node?: string };
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
function prepare(bytes: Uint8Array): { bytes: Uint8Array; description: Omit<KernelModule, 'module'> } {
  const memory = memoryImport(bytes);
  const shared = memory.shared && sharedMemorySupported();
  let prepared = bytes;
  if (memory.shared && !shared) {
    prepared = bytes.slice();
    prepared[memory.flagOffset] = prepared[memory.flagOffset]! & ~2;
  }
  return { bytes: prepared, description: { shared, initialPages: memory.initialPages, maximumPages: memory.maximumPages } };
}

function compileSync(bytes: Uint8Array): KernelModule {
  const { bytes: prepared, description } = prepare(bytes);
  try {
    return { module: new WebAssembly.Module(prepared as Uint8Array<ArrayBuffer>), ...description };
  } catch (error) {
    throw unavailable(`kernels.wasm does not compile here: ${(error as Error).message}`);
  }
}

/** The compiled module, loading it synchronously if need be; throws where the host cannot. */
export function kernelModuleSync(): KernelModule {
  if (compiled !== null) return compiled;
  requireSimd();
  const getBuiltinModule = nodeProcess()?.getBuiltinModule;
  if (!isNode() || typeof getBuiltinModule !== 'function') {
    throw unavailable(
      'kernels.wasm cannot be loaded synchronously in this host (only Node can read it synchronously); ' +
        'await createWasmBackendAsync() or loadWasmKernels() first',
    );
  }
  const fs = getBuiltinModule('node:fs') as NodeFs;
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(KERNELS_URL);
  } catch (error) {
    throw unavailable(`cannot read ${KERNELS_URL.href}: ${(error as Error).message} (build it: npm run build:wasm)`);
  }
  compiled = compileSync(bytes);
  return compiled;
}

async function fetchBytes(): Promise<Uint8Array> {
  if (isNode()) {
    const fs = await import('node:fs/promises');
    try {
      return await fs.readFile(KERNELS_URL);
    } catch (error) {
      throw unavailable(`cannot read ${KERNELS_URL.href}: ${(error as Error).message} (build it: npm run build:wasm)`);
    }
  }
  const response = await fetch(KERNELS_URL);
  if (!response.ok) throw unavailable(`fetching ${KERNELS_URL.href} failed: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Compiles kernels.wasm once (asynchronously, so it works on a browser main thread too). */
export function loadWasmKernels(): Promise<KernelModule> {
  if (compiled !== null) return Promise.resolve(compiled);
  if (compiling === null) {
    compiling = (async () => {
      requireSimd();
      const { bytes, description } = prepare(await fetchBytes());
      try {
        compiled = { module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), ...description };
      } catch (error) {
        throw unavailable(`kernels.wasm does not compile here: ${(error as Error).message}`);
      }
      return compiled;
    })();
    // A failed load may succeed later (a network error): forget it.
    compiling.catch(() => (compiling = null));
  }
  return compiling;
}

/** A fresh instance of the compiled module over a fresh memory of its own. */
export function instantiateKernels(kernels: KernelModule): KernelExports {
  const memory = new WebAssembly.Memory({ initial: kernels.initialPages, maximum: kernels.maximumPages, shared: kernels.shared });
  return kernelExports(new WebAssembly.Instance(kernels.module, { env: { memory } }), memory);
}
