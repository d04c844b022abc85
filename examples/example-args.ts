/** Shared command-line handling for the examples: `--steps N`, `--backend NAME`. */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { backendInfo, registeredBackends } from '../backends';

export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

export function exampleArgs(): { steps?: number; backend?: string } {
  const { values } = parseArgs({ options: { steps: { type: 'string' }, backend: { type: 'string' } }, strict: true });
  const out: { steps?: number; backend?: string } = {};
  if (values.steps !== undefined) {
    const steps = Number(values.steps);
    if (!Number.isInteger(steps) || steps < 0) throw new Error(`--steps must be a non-negative integer, got '${values.steps}'`);
    out.steps = steps;
  }
  if (values.backend !== undefined) out.backend = values.backend;
  return out;
}

/**
 * The backend for the conv-net examples when none is named: wasm where it initialises (its SIMD
 * convolutions and matmuls are about 10× the pure-TS cpu backend's), else cpu.
 */
export async function fastBackend(): Promise<string> {
  if (!registeredBackends().includes('wasm')) return 'cpu';
  return (await backendInfo('wasm')).available ? 'wasm' : 'cpu';
}
