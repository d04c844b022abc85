/**
 * The browser entry of test/browser/wasm-in-chromium.test.ts (bundled by Vite there): loads the wasm
 * backend the way the renderer does (createWasmBackendAsync, which fetches kernels.wasm), runs the
 * shared workload against the cpu backend and publishes the result on window.__result, or the error on
 * window.__error. CSP violations the page triggers are collected into window.__cspViolations.
 */
import { createWasmBackendAsync, wasmSimdSupported } from '../../../backends/wasm';
import { createCpuBackend } from '../../../backends/cpu';
import { runWorkload, type WorkloadResult } from './workload';

declare global {
  interface Window {
    __result?: WorkloadResult;
    __error?: string;
    __cspViolations?: string[];
  }
}

window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations?.push(`${event.violatedDirective}: ${event.blockedURI}`);
});

async function main(): Promise<void> {
  const simd = wasmSimdSupported();
  const start = performance.now();
  const wasm = await createWasmBackendAsync();
  const wasmInitMs = performance.now() - start;
  const cpu = createCpuBackend();
  try {
    window.__result = await runWorkload({ cpu, wasm, wasmInitMs, simd }, navigator.userAgent);
  } finally {
    wasm.dispose();
    cpu.dispose();
  }
}

const out = document.getElementById('out');
main().then(
  () => {
    if (out) out.textContent = JSON.stringify(window.__result, null, 2);
  },
  (error: unknown) => {
    window.__error = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
    if (out) out.textContent = window.__error;
  },
);
