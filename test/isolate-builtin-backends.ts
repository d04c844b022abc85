/**
 * Registry tests state exact backend lists; this keeps them about the registry itself by taking the
 * built-in backends other than cpu (wasm, webgpu) out for the file, and putting them back after.
 */
import { afterAll, beforeAll } from 'vitest';
import { registerBackend, unregisterBackend, registeredBackends } from '../backends';
import { wasmBackendFactory } from '../backends/wasm';
import { webgpuHardwareBackendFactory } from '../backends/webgpu';

const OPTIONAL_BUILTINS = [
  { name: 'wasm', factory: wasmBackendFactory, priority: 10 },
  { name: 'webgpu', factory: webgpuHardwareBackendFactory, priority: 20 },
];

export function withOnlyCpuBuiltin(): void {
  beforeAll(() => {
    for (const b of OPTIONAL_BUILTINS) unregisterBackend(b.name);
  });
  afterAll(() => {
    for (const b of OPTIONAL_BUILTINS) if (!registeredBackends().includes(b.name)) registerBackend(b.name, b.factory, { priority: b.priority });
  });
}
