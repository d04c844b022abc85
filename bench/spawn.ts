/**
 * Runs one peer in its own process (fresh V8 heap, its own peak RSS, no JIT state shared with another
 * library) and reads its answer, the last JSON line, from stdout. Peers run one after another, never at once: on
 * a 2-core machine two would time each other.
 */
import { spawn } from 'node:child_process';
import type { PeerOutput, PeerRequest } from './protocol';
import type { PeerSpec } from './peers/list';
import type { PeerResult } from './result';

function environment(overrides: PeerSpec['env']): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function isPeerOutput(value: unknown): value is PeerOutput {
  const v = value as Partial<PeerOutput> | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.measurements) && Array.isArray(v.skipped) && typeof v.peakRssMiB === 'number';
}

/** The peer's latest answer: each line holds everything so far, so the last one that parses is the fullest. */
function lastOutput(lines: string[]): PeerOutput | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const value: unknown = JSON.parse(lines[i]);
      if (isPeerOutput(value)) return value;
    } catch {
      // A line cut short by a kill: try the one before.
    }
  }
  return undefined;
}

function answered(output: PeerOutput, id: string): boolean {
  return output.measurements.some((m) => m.id === id) || output.skipped.some((s) => s.id === id);
}

export function runPeerProcess(spec: PeerSpec, request: PeerRequest, timeoutMs: number): Promise<PeerResult> {
  const base = {
    name: spec.name, ours: spec.ours,
    ...(spec.softwareAdapter !== undefined ? { softwareAdapter: spec.softwareAdapter } : {}),
  };
  if (spec.unavailable) return Promise.resolve({ ...base, status: 'unavailable', reason: spec.unavailable });
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(spec.command, [...spec.args, JSON.stringify(request)], { env: environment(spec.env), stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (e) => resolve({ ...base, status: 'failed', reason: e.message }));
    child.on('close', (code, signal) => {
      const processSeconds = (performance.now() - started) / 1000;
      const lines = stdout.trim().split('\n');
      const output = lastOutput(lines);
      if (code === 0 && output) return resolve({ ...base, status: 'ok', processSeconds, output });
      const why = signal === 'SIGTERM' ? `stopped at the ${timeoutMs / 1000} s limit` : `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      const reason = output || code !== 0 ? why : `no JSON answer on stdout: ${lines.at(-1)?.slice(0, 200) ?? ''}`;
      // A peer stopped part-way keeps what it finished; the workloads it never reached are skips.
      const partial = output && {
        ...output,
        skipped: [...output.skipped, ...request.workloads.filter((w) => !answered(output, w.id)).map((w) => ({ id: w.id, reason: why }))],
      };
      resolve({ ...base, status: 'failed', reason, processSeconds, ...(partial ? { output: partial } : {}) });
    });
  });
}
