/** `tinyflow bench`: tinyflow's backends against tfjs and numpy, each peer in its own process (see bench/). */
import { benchMain } from '../../bench/cli';

export { BENCH_USAGE } from '../../bench/options';

export async function benchCommand(argv: string[]): Promise<number> {
  return benchMain(argv);
}
