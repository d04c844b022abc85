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
  // The default rows already admit WGSL's builtin accuracy (exp 3 + 2|x| ulp, 2.5 ulp division,
  // inverseSqrt 2 ulp) and float32 accumulation in any order. A device that needs more says so here,
  // row by row, with the reason.
  runConformance(webgpuBackendFactory, {
    name: 'webgpu',
    // One row relaxed: WGSL does not fix how a builtin (tanh, pow, exp, sigmoid) is evaluated, and a
    // shader compiler may evaluate one inlined in a longer fused expression differently from the same
    // builtin alone in its primitive's shader. llvmpipe does so now and then by 1 ulp (measured:
    // 0.66075635 vs 0.66075629 after tanh, pow, div and sigmoid), so a fused program is held to the
    // transcendental row against the primitives, not to exact equality.
    tolerances: { fusedVsPrimitives: { rtol: 1e-5, atol: 1e-6 } },
  });
});

// Shows the reason in the test report too, not only on the console.
if (reason !== null) it.skip(`webgpu conformance (no adapter: ${reason})`, () => undefined);
