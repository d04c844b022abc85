/** Shared command-line handling for the examples: `--steps N`, `--backend NAME`. */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

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
