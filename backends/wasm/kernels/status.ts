/**
 * What the op-taking kernels of csrc/ return (K_* in kernels.h): 0 when they ran, else a code saying
 * why they wrote nothing. Turned into an error naming the op here, so an op the kernels do not know
 * (a kernels.wasm older than primitive-ops.ts, a dtype a kernel lacks) never leaves an output unwritten.
 */
import { fail } from '../checks';

export const K_OK = 0;
const K_UNKNOWN_OP = 1;
const K_UNSUPPORTED_DTYPE = 2;

function reason(code: number, what: string): string {
  if (code === K_UNKNOWN_OP) return `kernels.wasm has no kernel for ${what} (rebuild it: npm run build:wasm)`;
  if (code === K_UNSUPPORTED_DTYPE) return `kernels.wasm does not support ${what} for this dtype`;
  return `kernels.wasm returned the unknown status ${code} for ${what}`;
}

/** Throws `wasm <method>: ...` naming `what` (the op) unless the kernel returned K_OK. */
export function checkStatus(method: string, status: number, what: string): void {
  if (status !== K_OK) fail(method, reason(status, what));
}

/** A fused program's status: the K_* code in the low byte, the failing instruction's index above it. */
export function checkProgramStatus(status: number, describe: (instruction: number) => string): void {
  if (status === K_OK) return;
  const instruction = status >> 8;
  fail('elementwise', reason(status & 0xff, `instruction ${instruction} (${describe(instruction)})`));
}
