/** The shared argument checks (backends/argument-checks.ts), reporting as the 'webgpu' backend. */
import { createArgumentChecks } from '../argument-checks';

export { offsetRange } from '../argument-checks';

export function fail(method: string, message: string): never {
  throw new Error(`webgpu ${method}: ${message}`);
}

export const { checkSize, checkAtLeast, checkDtype, checkCount, shapeSize, checkStridedView } = createArgumentChecks(fail);
