/**
 * The tinyflow CLI with two backends that cannot initialise here (one fails synchronously, one
 * asynchronously), so tests can run it as a process and see how it reports them.
 * Run: node --import tsx src-cli/test-fixtures/cli-with-broken-backends.ts <command> [options]
 */
import { registerBackend } from '../../backends';

registerBackend('no-simd', () => {
  throw new Error('WebAssembly SIMD is not supported');
}, { priority: 10 });
registerBackend('no-gpu', () => Promise.reject(new Error('no WebGPU adapter')), { priority: 20 });

await import('../main');
