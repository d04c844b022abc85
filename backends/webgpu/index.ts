/**
 * The WebGPU backend (asynchronous only: `read` maps a staging buffer, so there is no readSync and
 * Session.runSync is unavailable; use `await sess.run`).
 *
 * createWebGpuBackendAsync() finds an adapter (navigator.gpu, else Dawn's Node binding with its
 * OpenGL ES compatibility fallback; see device.ts) and rejects with the reason when there is none,
 * which the registry reports as the backend's unavailability reason.
 */
import type { Backend, BackendFactory } from '../interface';
import { WebGpuBackend } from './backend';
import { GpuContext } from './context';
import { acquireDevice } from './device';

export { WebGpuBackend } from './backend';
export { WebGpuBuffer } from './buffer';

export interface WebGpuOptions {
  /**
   * Refuse a software adapter (llvmpipe, lavapipe, SwiftShader) with a reason instead of using it:
   * for `'best'` selection, where such an adapter would win over the faster cpu and wasm backends.
   */
  readonly hardwareOnly?: boolean;
}

export async function createWebGpuBackendAsync(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  const { device, description, software } = await acquireDevice();
  if (software && options.hardwareOnly === true) {
    device.destroy();
    throw new Error(`only a software WebGPU adapter is available (${description}); it is slower than the cpu backend`);
  }
  return new WebGpuBackend(new GpuContext(device, description, software));
}

/** Any adapter, software ones included (what the conformance suite runs on in CI). */
export const webgpuBackendFactory: BackendFactory = (): Promise<Backend> => createWebGpuBackendAsync();

/** Hardware adapters only: the factory to register at a priority above cpu and wasm. */
export const webgpuHardwareBackendFactory: BackendFactory = (): Promise<Backend> => createWebGpuBackendAsync({ hardwareOnly: true });
