/** Bench peer: tinyflow on one backend (the request's variant: cpu, wasm, webgpu, ...). */
import { readDataset } from '../data';
import { buildTinyflow } from '../workloads/tinyflow';
import { peerIo, runPeer } from './harness';

const { request, reply } = peerIo();
const data = readDataset(request.data);
await runPeer(request, `tinyflow ${request.variant} backend`, (plan) => buildTinyflow(plan, request.variant, data, request.seed), reply);
