/**
 * The built-in WebAssembly SIMD backend against the conformance suite, with the cpu backend as
 * reference, once per kernels artifact: kernels-relaxed.wasm (fused multiply-add, rounded once) and
 * kernels.wasm (SIMD128). Both pass the default tolerances: a matmul's relative error bound of 16
 * float32 ulps holds with or without the fused rounding.
 */
import { runConformance } from './index';
import { WASM_ARTIFACTS, wasmBackendFactoryWith } from '../../backends/wasm';

for (const artifact of WASM_ARTIFACTS) runConformance(wasmBackendFactoryWith({ artifact }), { name: `wasm (${artifact})` });
