/**
 * The WebGPU backend against the conformance suite. Runs where an adapter can be created (a real GPU,
 * or in Node Dawn's OpenGL ES backend on Mesa's llvmpipe with EGL_PLATFORM=surfaceless; see
 * backends/webgpu/device.ts), and is skipped with the printed reason elsewhere.
 */
import { describe, it } from 'vitest';
import { runConformance } from './index';
import { createWebGpuBackendAsync, webgpuBackendFactory } from '../../backends/webgpu';

/** Probes once at collection time: describe.skipIf needs the answer before the suite is registered. */
async function unavailableReason(): Promise<string | null> {
  try {
    const backend = await createWebGpuBackendAsync();
    backend.dispose();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const reason = await unavailableReason();
if (reason !== null) console.log(`webgpu conformance skipped: ${reason}`);

describe.skipIf(reason !== null)('webgpu', () => {
  // No tolerance overrides: the default rows already admit WGSL's builtin accuracy (exp 3 + 2|x| ulp,
  // 2.5 ulp division, inverseSqrt 2 ulp) and float32 accumulation in any order, and every check passes
  // on llvmpipe (measured). A device that needs more says so here, row by row, with the reason.
  runConformance(webgpuBackendFactory, { name: 'webgpu' });
});

// Shows the reason in the test report too, not only on the console.
if (reason !== null) it.skip(`webgpu conformance (no adapter: ${reason})`, () => undefined);
