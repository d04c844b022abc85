/** `npm run bench -- [options]`: see bench/options.ts (BENCH_USAGE). */
import { UsageError } from '../src-cli/usage';
import { BENCH_USAGE } from './options';
import { benchMain } from './cli';

try {
  process.exitCode = await benchMain(process.argv.slice(2));
} catch (e) {
  const isUsage = e instanceof UsageError || (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'));
  if (!isUsage) throw e;
  console.error(`bench: ${e.message}\n\n${BENCH_USAGE}`);
  process.exitCode = 2;
}
