/**
 * The `tinyflow` command's logic (src-cli/main.ts runs it): global options (--help, --version), then dispatch to a subcommand.
 * Exit codes: 0 done, 1 failed, 2 usage error. With --json, stdout holds only the JSON result (or a
 * JSON error); human-readable messages go to stderr.
 */
import { COMMANDS, COMMAND_NAMES, overview } from './command-table';
import { UsageError } from './usage';
import { packageInfo } from './version';
import { styleFor } from './style';
import { OpError } from '../src-core/errors';

const HELP_FLAGS = new Set(['--help', '-h']);

/** The options before a `--` separator (after it, arguments are positional and never flags of ours). */
function flagsOf(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

function isUsageError(e: unknown): e is Error {
  return e instanceof UsageError || (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'));
}

/** node's parseArgs messages add advice about positionals after the first sentence; the first sentence names the option. */
function usageMessage(e: Error): string {
  return e instanceof UsageError ? e.message : (e.message.split(/(?<=\.) /)[0] ?? e.message).replace(/\.$/, '');
}

function printError(json: boolean, kind: string, message: string, exitCode: number): void {
  if (json) console.log(JSON.stringify({ error: { kind, message, exitCode } }, null, 2));
}

export async function main(argv: string[]): Promise<number> {
  const err = styleFor(process.stderr);
  const out = styleFor(process.stdout);
  const [command, ...rest] = argv;
  const json = flagsOf(rest).includes('--json') || command === '--json';
  if (command === undefined || HELP_FLAGS.has(command) || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && COMMANDS[topic] === undefined) return usageFailure(`unknown command '${topic}'`, overview(), json);
    const text = topic !== undefined ? COMMANDS[topic]!.usage : overview();
    // Bare `tinyflow` is a usage mistake (the help goes to stderr); asking for help is not.
    if (command === undefined) console.error(text);
    else console.log(text.replace(/^usage:/, out.bold('usage:')));
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-V') {
    const { version } = packageInfo();
    console.log(json ? JSON.stringify({ version }) : version);
    return 0;
  }
  const entry = COMMANDS[command];
  if (entry === undefined) {
    const what = command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}' (commands: ${COMMAND_NAMES.join(', ')})`;
    return usageFailure(what, overview(), json);
  }
  if (flagsOf(rest).some((a) => HELP_FLAGS.has(a))) {
    console.log(`${out.bold('usage:')} ${entry.usage}`);
    return 0;
  }
  try {
    return await entry.run(rest);
  } catch (e) {
    if (isUsageError(e)) return usageFailure(usageMessage(e), entry.usage, json, command);
    // Framework errors (a backend that cannot start, a bad checkpoint, a missing file) are the user's to
    // fix and carry their own message; anything else is a bug, whose stack helps whoever reports it.
    const known = e instanceof OpError;
    const name = e instanceof Error ? e.name : 'Error';
    const message = e instanceof Error ? e.message : String(e);
    console.error(`${err.red('tinyflow:')} ${name}: ${message}`);
    if (!known && e instanceof Error && e.stack !== undefined) console.error(err.dim(e.stack));
    printError(json, name, message, 1);
    return 1;
  }

  function usageFailure(message: string, usage: string, asJson: boolean, where?: string): number {
    const prefix = where === undefined ? 'tinyflow:' : `tinyflow ${where}:`;
    console.error(`${err.red(prefix)} ${message}\n\n${usage}`);
    printError(asJson, 'usage', message, 2);
    return 2;
  }
}
