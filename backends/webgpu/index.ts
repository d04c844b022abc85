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

export async function createWebGpuBackendAsync(): Promise<WebGpuBackend> {
  const { device, description } = await acquireDevice();
  return new WebGpuBackend(new GpuContext(device, description));
}

export const webgpuBackendFactory: BackendFactory = (): Promise<Backend> => createWebGpuBackendAsync();
