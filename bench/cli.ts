/** `npm run bench` and `tinyflow bench`: run, print (table or JSON), and save the results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBench } from './bench';
import { parseBenchArgs } from './options';
import { formatMarkdown, formatText } from './report';

export async function benchMain(argv: string[]): Promise<number> {
  const options = parseBenchArgs(argv);
  // Progress goes to stderr so that `--json` leaves stdout parseable.
  const result = await runBench(options, (line) => console.error(line));
  console.log(options.json ? JSON.stringify(result, null, 2) : formatText(result));
  mkdirSync(options.out, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(options.out, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(options.out, 'latest.md'), formatMarkdown(result));
  console.error(`bench: wrote ${join(options.out, `${stamp}.json`)} and latest.md`);
  return result.peers.some((p) => p.status === 'failed') ? 1 : 0;
}
