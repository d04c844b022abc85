/** The built-in WebAssembly SIMD backend against the conformance suite, with the cpu backend as reference. */
import { runConformance } from './index';
import { wasmBackendFactory } from '../../backends/wasm';

runConformance(wasmBackendFactory, { name: 'wasm' });
