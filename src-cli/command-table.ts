/** The CLI's commands: what each does in one line, its usage text, and how it runs. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trainCommand, TRAIN_USAGE } from './commands/train';
import { infoCommand, INFO_USAGE } from './commands/info';
import { BENCH_USAGE } from '../bench/options';
import { studioCommand, STUDIO_USAGE } from './commands/studio';
import { explainCommand, EXPLAIN_USAGE } from './commands/explain';
import { exportCommand, EXPORT_USAGE } from './commands/export';
import { evalCommand, EVAL_USAGE } from './commands/eval';
import { predictCommand, PREDICT_USAGE } from './commands/predict';
import { runBench } from './bench-launch';
import { packageInfo } from './version';
import { UnavailableError } from '../src-core/errors';

export interface CliCommand {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

/** The studio's web host is built from the app's sources, which a checkout has and the npm package does not. */
async function studioFromCheckout(argv: string[]): Promise<number> {
  const { root } = packageInfo();
  if (!existsSync(join(root, 'src-main')) || !existsSync(join(root, 'node_modules', 'electron-vite'))) {
    throw new UnavailableError(`studio runs from a checkout of tinyflow studio (the npm package holds the library and the CLI, not the app); in a clone run 'npm install' then 'npm start'`);
  }
  return studioCommand(argv);
}

export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  train: { summary: 'train a model headlessly and report its test accuracy', usage: TRAIN_USAGE, run: trainCommand },
  info: { summary: 'list the backends (availability, capabilities) and the registered op types', usage: INFO_USAGE, run: infoCommand },
  studio: { summary: 'start tinyflow studio in a browser (--web)', usage: STUDIO_USAGE, run: studioFromCheckout },
  bench: { summary: 'time our backends against TF.js and numpy on the same workloads', usage: BENCH_USAGE, run: runBench },
  explain: { summary: "print the compiled plan of a model's training step (passes, kernels, buffers, memory)", usage: EXPLAIN_USAGE, run: explainCommand },
  export: { summary: "write a checkpoint's model as ONNX (opset 17) for onnxruntime, Netron and other tools", usage: EXPORT_USAGE, run: exportCommand },
  eval: { summary: "a checkpoint's test accuracy and confusion matrix", usage: EVAL_USAGE, run: evalCommand },
  predict: { summary: "a checkpoint's class probabilities for PNG or JPEG images", usage: PREDICT_USAGE, run: predictCommand },
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

export function overview(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => n.length));
  return [
    'usage: tinyflow <command> [options]',
    '',
    'commands:',
    ...COMMAND_NAMES.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`),
    '',
    'options:',
    '  -h, --help        this text; `tinyflow <command> --help` shows a command\'s options',
    '  -V, --version     the version',
    '  --json            (on every command) print the result, or the error, as JSON on stdout',
    '',
    'exit codes: 0 done, 1 failed, 2 usage error (unknown command or option, bad value), 130 stopped by Ctrl-C',
  ].join('\n');
}
