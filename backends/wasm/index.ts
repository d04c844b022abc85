/**
 * The WebAssembly backend. Kernels are C compiled to WebAssembly with 128-bit SIMD (csrc/, built by
 * build.mjs into kernels.wasm, and kernels-relaxed.wasm with relaxed SIMD's fused multiply-add,
 * picked where the host has it); all buffers live in one WebAssembly.Memory.
 *
 * - createWasmBackend(): synchronous. Works in Node, and anywhere once the kernels have been loaded
 *   (by createWasmBackendAsync or loadWasmKernels); elsewhere it throws an Error saying why.
 * - createWasmBackendAsync(): works in every host with WebAssembly SIMD, a browser main thread included.
 */
import type { Backend, BackendFactory } from '../interface';
import { WasmBackend, type WasmBackendOptions } from './backend';
import { instantiateKernels, kernelModuleSync, loadWasmKernels, type KernelModule } from './loader';

export { WasmBackend, type WasmBackendOptions, type WasmCapabilities } from './backend';
export { WasmBuffer } from './wasm-buffer';
export type { HeapStats } from './heap';
export { loadWasmKernels, relaxedSimdSupported, sharedMemorySupported, wasmSimdSupported, WASM_ARTIFACTS, type WasmArtifact } from './loader';

function create(kernels: KernelModule, options?: WasmBackendOptions): WasmBackend {
  return new WasmBackend(instantiateKernels(kernels), kernels, options);
}

export function createWasmBackend(options?: WasmBackendOptions): WasmBackend {
  return create(kernelModuleSync(options?.artifact), options);
}

export async function createWasmBackendAsync(options?: WasmBackendOptions): Promise<WasmBackend> {
  return create(await loadWasmKernels(options?.artifact), options);
}

/** A registry factory with options (e.g. `{threads: 1}`); synchronous where the host allows it, else a Promise. */
export function wasmBackendFactoryWith(options: WasmBackendOptions): BackendFactory {
  return (): Backend | Promise<Backend> => {
    try {
      return createWasmBackend(options);
    } catch {
      return createWasmBackendAsync(options);
    }
  };
}

/** For the registry: synchronous where the host allows it (Node, or kernels already loaded), else a Promise. */
export const wasmBackendFactory: BackendFactory = wasmBackendFactoryWith({});
