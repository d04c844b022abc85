/** The `tinyflow` command's entry: runs the CLI (src-cli/cli.ts) on this process's arguments. */
import { main } from './cli';

export { main };

process.exitCode = await main(process.argv.slice(2));
