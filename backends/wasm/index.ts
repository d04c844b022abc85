/**
 * The WebAssembly backend. Kernels are C compiled to WebAssembly with 128-bit SIMD (csrc/, built by
 * build.mjs into kernels.wasm); all buffers live in one WebAssembly.Memory.
 *
 * - createWasmBackend(): synchronous. Works in Node, and anywhere once the kernels have been loaded
 *   (by createWasmBackendAsync or loadWasmKernels); elsewhere it throws an Error saying why.
 * - createWasmBackendAsync(): works in every host with WebAssembly SIMD, a browser main thread included.
 */
import type { Backend, BackendFactory } from '../interface';
import { WasmBackend } from './backend';
import { instantiateKernels, kernelModuleSync, loadWasmKernels } from './loader';

export { WasmBackend } from './backend';
export { WasmBuffer } from './wasm-buffer';
export type { HeapStats } from './heap';
export { loadWasmKernels, wasmSimdSupported } from './loader';

export function createWasmBackend(): WasmBackend {
  return new WasmBackend(instantiateKernels(kernelModuleSync()));
}

export async function createWasmBackendAsync(): Promise<WasmBackend> {
  return new WasmBackend(instantiateKernels(await loadWasmKernels()));
}

/** For the registry: synchronous where the host allows it (Node, or kernels already loaded), else a Promise. */
export const wasmBackendFactory: BackendFactory = (): Backend | Promise<Backend> => {
  try {
    return createWasmBackend();
  } catch {
    return createWasmBackendAsync();
  }
};
