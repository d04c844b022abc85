import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { infoCommand } from './info';
import { registerBackend, unregisterBackend } from '../../backends';
import type { Backend } from '../../backends/interface';
import { createCpuBackend } from '../../backends/cpu';
import { registeredOpTypes } from '../../src-core/ops/op-def';
import { withOnlyCpuBuiltin } from '../../test/isolate-builtin-backends';

withOnlyCpuBuiltin();

const added: string[] = [];
afterEach(() => {
  for (const name of added.splice(0)) unregisterBackend(name);
  vi.restoreAllMocks();
});

/** Runs `tinyflow info` in-process and returns what it printed. */
async function runInfo(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  const code = await infoCommand(argv);
  return { code, out: lines.join('\n') };
}

function registerExamples(): void {
  registerBackend('no-simd', () => {
    throw new Error('WebAssembly SIMD is not supported');
  }, { priority: 10 });
  // A backend without a buffer limit and without fused kernels.
  registerBackend('unbounded', () => {
    const cpu = createCpuBackend();
    return Object.assign(Object.create(cpu) as Backend, {
      name: 'unbounded', softmax: undefined, softmaxCrossEntropy: undefined, elementwise: undefined, matmulEpilogue: undefined, capabilities: { ...cpu.capabilities, maxBufferElements: Infinity },
    });
  }, { priority: -1 });
  // A GPU-like backend on a software (fallback) adapter: info must say so.
  registerBackend('soft-gpu', () => {
    const cpu = createCpuBackend();
    const adapter = { description: 'navigator.gpu (google swiftshader)', software: true };
    return Object.assign(Object.create(cpu) as Backend, { name: 'soft-gpu', capabilities: { ...cpu.capabilities, adapter } });
  }, { priority: -2 });
  added.push('no-simd', 'unbounded', 'soft-gpu');
}

describe('tinyflow info', () => {
  it('lists backends best first with priority, availability or the reason, capabilities, and the op types', async () => {
    registerExamples();
    const { code, out } = await runInfo([]);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe('backends (4 registered, best first):');
    expect(lines[1]).toMatch(/^ {2}backend +priority +status +init +dtypes +readSync +max buffer +fused kernels +adapter$/);
    expect(lines[2]).toMatch(/^ {2}no-simd +10 +unavailable +- +\(WebAssembly SIMD is not supported\)$/);
    expect(lines[3]).toMatch(/^ {2}cpu +0 +available +sync +float32 int32 bool +yes +2,147,483,647 +softmax softmaxCrossEntropy elementwise matmulEpilogue +-$/);
    expect(lines[4]).toMatch(/^ {2}unbounded +-1 +available +sync +float32 int32 bool +yes +unlimited +none +-$/);
    expect(lines[5]).toMatch(/^ {2}soft-gpu +-2 +available +sync +.* +navigator\.gpu \(google swiftshader\), software adapter$/);
    // The first available one by priority is everyone's default (no-simd, above it, cannot start).
    expect(lines[6]).toBe('default: cpu (the fastest available; tf.Session(), tinyflow train and the studio start on it)');
    expect(out).toContain(`ops (${registeredOpTypes().length} registered):`);
    for (const op of ['MatMul', 'Softmax', 'Relu', 'Assign']) expect(out).toMatch(new RegExp(`\\b${op}\\b`));
  });

  it('--json prints the same report as JSON', async () => {
    registerExamples();
    const { code, out } = await runInfo(['--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { backends: Record<string, unknown>[]; ops: string[] };
    expect(report.backends.map((b) => b.name)).toEqual(['no-simd', 'cpu', 'unbounded', 'soft-gpu']);
    expect(report.backends[0]).toEqual({ name: 'no-simd', priority: 10, available: false, reason: 'WebAssembly SIMD is not supported' });
    expect(report.backends[1]).toMatchObject({ available: true, capabilities: { dtypes: ['float32', 'int32', 'bool'], sync: true }, fusedKernels: ['softmax', 'softmaxCrossEntropy', 'elementwise', 'matmulEpilogue'] });
    expect(report.backends[2]).toMatchObject({ capabilities: { maxBufferElements: 'Infinity' }, fusedKernels: [] });
    expect(report.backends[3]).toMatchObject({ capabilities: { adapter: { description: 'navigator.gpu (google swiftshader)', software: true } } });
    expect(report.ops).toEqual(registeredOpTypes());
  });

  it('rejects unknown options', async () => {
    await expect(infoCommand(['--verbose'])).rejects.toMatchObject({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
  });
});

interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI fixture as a process: what a user sees, exit code included. */
function tinyflow(...args: string[]): Promise<ProcessResult> {
  const fixture = fileURLToPath(new URL('../test-fixtures/cli-with-broken-backends.ts', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('the tinyflow process with backends that cannot start', () => {
  // Each process loads the whole framework through tsx (seconds), so they run side by side.
  let runs: Record<'noSimd' | 'noGpu' | 'info', ProcessResult>;
  beforeAll(async () => {
    const [noSimd, noGpu, info] = await Promise.all([
      tinyflow('train', '--backend', 'no-simd', '--steps', '1'),
      tinyflow('train', '--backend', 'no-gpu', '--steps', '1'),
      tinyflow('info'),
    ]);
    runs = { noSimd, noGpu, info };
  });

  it.each([
    ['noSimd', 'no-simd', 'WebAssembly SIMD is not supported'],
    ['noGpu', 'no-gpu', 'no WebGPU adapter'],
  ] as const)('train --backend %s exits 1 with the reason on one line, no stack trace', (key, name, reason) => {
    expect(runs[key].stderr).toBe(`tinyflow: UnavailableError: backend '${name}' is unavailable: ${reason}\n`);
    expect(runs[key].stdout).toBe('');
    expect(runs[key].status).toBe(1);
  });

  it('info is dispatched by main and reports both reasons', () => {
    expect(runs.info.status).toBe(0);
    expect(runs.info.stdout).toMatch(/no-gpu +20 +unavailable +async +\(no WebGPU adapter\)/);
    expect(runs.info.stdout).toMatch(/no-simd +10 +unavailable +- +\(WebAssembly SIMD is not supported\)/);
  });
});
