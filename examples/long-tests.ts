/**
 * The examples' full-length runs take minutes, so their tests run only with TINYFLOW_LONG_TESTS=1;
 * otherwise they are skipped and say why (a silent skip would read as a pass).
 */
import type { TestContext } from 'vitest';

export const LONG_TESTS = process.env.TINYFLOW_LONG_TESTS === '1';

/** Skips the running test, with the reason printed and attached to the skip, unless long tests are on. */
export function skipUnlessLong(ctx: TestContext, what: string): void {
  if (LONG_TESTS) return;
  const reason = `skipped: ${what}; set TINYFLOW_LONG_TESTS=1 to run it`;
  console.log(reason);
  ctx.skip(reason);
}
