/** The `tinyflow` command: dispatches to its subcommands. */
import { trainCommand, TRAIN_USAGE } from './commands/train';
import { infoCommand, INFO_USAGE } from './commands/info';
import { benchCommand, BENCH_USAGE } from './commands/bench';
import { studioCommand, STUDIO_USAGE } from './commands/studio';
import { explainCommand, EXPLAIN_USAGE } from './commands/explain';
import { UsageError } from './usage';
import { OpError } from '../src-core/errors';

const USAGE = `usage: tinyflow <command> [options]

commands:
  train     train a model headlessly and report its test accuracy
  info      list the backends (availability, capabilities) and the registered op types
  studio    start tinyflow studio in a browser (--web)
  bench     time our backends against TF.js and numpy on the same workloads
  explain   print the compiled plan of a model's training step (passes, kernels, buffers, memory)

${TRAIN_USAGE}

${INFO_USAGE}

${STUDIO_USAGE}

${BENCH_USAGE}

${EXPLAIN_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await trainCommand(rest);
      case 'info':
        return await infoCommand(rest);
      case 'bench':
        return await benchCommand(rest);
      case 'studio':
        return await studioCommand(rest);
      case 'explain':
        return await explainCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    // Argument mistakes (ours and node's parseArgs) get the usage text; framework errors their own message.
    const isUsage = e instanceof UsageError || (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'));
    if (isUsage) {
      console.error(`tinyflow: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof OpError) {
      console.error(`tinyflow: ${e.name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
