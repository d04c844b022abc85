/**
 * The backends that ship with tinyflow, in one list. Priorities leave room between them
 * (webgpu 20 > wasm 10 > cpu 0) so a session asking for the best gets the fastest one that initialises,
 * and third-party backends can slot in anywhere.
 */
import type { BackendFactory } from './interface';
import { registerBackend, registeredBackends } from './registry';
import { createCpuBackend } from './cpu';
import { wasmBackendFactory } from './wasm';
import { webgpuBackendFactory, webgpuHardwareBackendFactory } from './webgpu';

interface BuiltinBackend {
  readonly name: string;
  readonly factory: BackendFactory;
  readonly priority: number;
  readonly byName?: BackendFactory;
  readonly asyncOnly?: boolean;
}

const BUILTIN_BACKENDS: readonly BuiltinBackend[] = [
  { name: 'cpu', factory: createCpuBackend, priority: 0 },
  // Synchronous in Node (a plain `tf.Session()` can pick it); a Promise in a browser until compiled.
  { name: 'wasm', factory: wasmBackendFactory, priority: 10 },
  // Hardware adapters only: a software adapter (llvmpipe, SwiftShader) is slower than cpu, so 'best'
  // must not pick it. Named explicitly, any adapter will do (the session notes a software one).
  { name: 'webgpu', factory: webgpuHardwareBackendFactory, byName: webgpuBackendFactory, priority: 20, asyncOnly: true },
];

// Guarded so a second evaluation of this module (hot reload, two bundles) does not hit the name clash check.
for (const { name, factory, priority, byName, asyncOnly } of BUILTIN_BACKENDS) {
  if (!registeredBackends().includes(name)) registerBackend(name, factory, { priority, byName, asyncOnly });
}
