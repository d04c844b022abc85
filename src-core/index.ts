/**
 * The `tf` namespace: TF-1's Python names (snake_case) for the public surface.
 * `import * as tf from '../src-core'` or `import tf from '../src-core'`.
 * @module
 */
// Registers every built-in op before anything builds a graph (builders look ops up by name), and
// the built-in backends (cpu, wasm, webgpu): the rest of src-core knows only backends/registry.
import './ops/builtin';
import '../backends/builtin';
import * as tf from './tf';

export * from './tf';
export default tf;
