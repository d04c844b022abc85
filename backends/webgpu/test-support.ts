/** For the webgpu tests: a backend when an adapter exists, else the reason (tests skip and print it). */
import { createWebGpuBackendAsync, type WebGpuBackend } from './index';

export async function webgpuUnavailableReason(): Promise<string | null> {
  try {
    const backend = await createWebGpuBackendAsync();
    backend.dispose();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function newBackend(): Promise<WebGpuBackend> {
  return createWebGpuBackendAsync();
}
