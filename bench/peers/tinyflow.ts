/** Bench peer: tinyflow on one backend (the request's variant: cpu, wasm, webgpu, ...). */
// First, so its start-up RSS reading is taken before the framework is evaluated.
import './memory';
import { createWebGpuBackendAsync } from '../../backends/webgpu';
import { readDataset } from '../data';
import { buildTinyflow, type BackendChoice } from '../workloads/tinyflow';
import { peerIo, runPeer } from './harness';

const { request, reply } = peerIo();
let backend: BackendChoice = request.variant;
let description = `tinyflow ${request.variant} backend`;
let softwareAdapter: boolean | undefined;
if (request.anyAdapter === true) {
  // The registered webgpu factory refuses software adapters; the sweep measures them anyway, marked.
  const gpu = await createWebGpuBackendAsync();
  backend = gpu;
  softwareAdapter = gpu.ctx.software;
  description += `, ${gpu.ctx.software ? 'software adapter' : 'adapter'}: ${gpu.ctx.description}`;
}
if (request.optimizations !== undefined) {
  const off = request.optimizations === false ? 'every compiler pass off' : `${Object.keys(request.optimizations).join(', ')} off`;
  description += `, ${off}`;
}
const data = readDataset(request.data);
await runPeer(request, description, (plan, optimizations) => buildTinyflow(plan, backend, data, request.seed, optimizations ?? request.optimizations), reply,
  softwareAdapter === undefined ? {} : { softwareAdapter });
