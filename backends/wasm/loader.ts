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

let compiled: WebAssembly.Module | null = null;
let compiling: Promise<WebAssembly.Module> | null = null;

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

function compileSync(bytes: Uint8Array): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (error) {
    throw unavailable(`kernels.wasm does not compile here: ${(error as Error).message}`);
  }
}

/** The compiled module, loading it synchronously if need be; throws where the host cannot. */
export function kernelModuleSync(): WebAssembly.Module {
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
export function loadWasmKernels(): Promise<WebAssembly.Module> {
  if (compiled !== null) return Promise.resolve(compiled);
  if (compiling === null) {
    compiling = (async () => {
      requireSimd();
      const bytes = await fetchBytes();
      try {
        compiled = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
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

/** A fresh instance (with its own memory) of the compiled module. */
export function instantiateKernels(module: WebAssembly.Module): KernelExports {
  return kernelExports(new WebAssembly.Instance(module, {}));
}
