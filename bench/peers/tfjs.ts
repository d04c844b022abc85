/**
 * Bench peer: TensorFlow.js 4 on its pure-JS cpu backend (bundled in @tensorflow/tfjs) or on
 * @tensorflow/tfjs-backend-wasm (the request's variant). The wasm binaries are loaded from the
 * package's dist folder, as backends/wasm/speed.ts does; in Node the wasm backend is single-threaded SIMD.
 */
// First, so its start-up RSS reading is taken before tfjs is evaluated.
import './memory';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tfjs from '@tensorflow/tfjs';
import { readDataset } from '../data';
import { buildTfjs } from '../workloads/tfjs';
import { peerIo, runPeer } from './harness';

const { request, reply } = peerIo();
const backend = request.variant;
if (backend === 'wasm') {
  // Imported only here: the cpu variant should not load (or count in its RSS) a backend it does not use.
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const dist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  setWasmPaths(`${pathToFileURL(dist).href}/`);
}
if (!(await tfjs.setBackend(backend))) throw new Error(`tfjs could not set backend '${backend}'`);
await tfjs.ready();
const simd = backend === 'wasm' ? `, SIMD ${String(tfjs.env().getBool('WASM_HAS_SIMD_SUPPORT'))}` : '';
const data = readDataset(request.data);
const description = `@tensorflow/tfjs ${tfjs.version.tfjs}, backend ${tfjs.getBackend()}${simd}`;
await runPeer(request, description, (plan) => buildTfjs(plan, data, request.seed), reply);
