import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli';
import { COMMANDS, COMMAND_NAMES } from './command-table';
import { colorEnabled, styleFor } from './style';
import { studioCommand } from './commands/studio';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

afterEach(() => vi.restoreAllMocks());

/** Runs `tinyflow ARGV` in-process: exit code, and what went to stdout (console.log) and stderr (console.error). */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tinyflow --help, <command> --help, --version', () => {
  it('--help (and -h, help) lists every command with what it does, on stdout, exit 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { code, out, err } = await cli([flag]);
      expect(code).toBe(0);
      expect(err).toBe('');
      expect(out).toMatch(/^usage: tinyflow <command> \[options\]/);
      const width = Math.max(...COMMAND_NAMES.map((n) => n.length));
      for (const name of COMMAND_NAMES) expect(out).toContain(`  ${name.padEnd(width)}  ${COMMANDS[name]!.summary}`);
      expect(out).toMatch(/exit codes: 0 done, 1 failed, 2 usage error/);
    }
  });

  it.each(COMMAND_NAMES)('%s --help prints that command\'s options and runs nothing, exit 0', async (name) => {
    const { code, out, err } = await cli([name, '--help']);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toBe(`usage: ${COMMANDS[name]!.usage}`);
    expect(out).toContain('--json');
    // -h too, after other options; `help <command>` says the same.
    expect((await cli([name, '--json', '-h'])).out).toBe(out);
    expect((await cli(['help', name])).out).toBe(COMMANDS[name]!.usage);
  });

  it('--version prints the package.json version (JSON with --json)', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: VERSION, err: '' });
    expect((await cli(['-V'])).out).toBe(VERSION);
    expect(JSON.parse((await cli(['--version', '--json'])).out)).toEqual({ version: VERSION });
  });
});

describe('tinyflow usage errors: exit 2, naming the mistake, with the usage', () => {
  it('an unknown command names it and lists the commands; stdout stays empty', async () => {
    const { code, out, err } = await cli(['trian', '--steps', '5']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.startsWith(`tinyflow: unknown command 'trian' (commands: ${COMMAND_NAMES.join(', ')})\n\nusage: tinyflow <command>`)).toBe(true);
    expect(COMMAND_NAMES).toEqual(expect.arrayContaining(['train', 'info', 'studio', 'bench', 'explain']));
  });

  it('an unknown option before the command, and `help` of an unknown command', async () => {
    expect(await cli(['--verbose'])).toMatchObject({ code: 2, err: expect.stringMatching(/^tinyflow: unknown option '--verbose'\n/) });
    expect(await cli(['help', 'trian'])).toMatchObject({ code: 2, err: expect.stringMatching(/^tinyflow: unknown command 'trian'/) });
  });

  it("an unknown option of a command names the option and prints that command's usage (not all of them)", async () => {
    const { code, out, err } = await cli(['train', '--stepz', '5']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`tinyflow train: Unknown option '--stepz'\n\n${COMMANDS.train!.usage}`);
  });

  it('no command at all: the usage on stderr, exit 2', async () => {
    const { code, out, err } = await cli([]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^usage: tinyflow <command>/);
  });

  it('with --json, a usage error is also a JSON object on stdout', async () => {
    const { code, out, err } = await cli(['train', '--steps', 'many', '--backend', 'cpu', '--json']);
    expect(code).toBe(2);
    expect(JSON.parse(out)).toEqual({ error: { kind: 'usage', message: "--steps must be an integer >= 0, got 'many'", exitCode: 2 } });
    expect(err).toMatch(/^tinyflow train: --steps must be an integer >= 0, got 'many'\n\ntinyflow train \[options\]/);
  });
});

describe('tinyflow failures: exit 1 with the message on one line', () => {
  it('a missing data directory: the error named, no stack; with --json also on stdout', async () => {
    const dir = join(tmpdir(), 'tinyflow-no-such-dir');
    const { code, out, err } = await cli(['train', '--data', dir, '--steps', '1', '--backend', 'cpu', '--json']);
    expect(code).toBe(1);
    // One line naming the error class and the folder; the wording of the message is train's own.
    expect(err).toMatch(/^tinyflow: NotFoundError: [^\n]*'[^']*tinyflow-no-such-dir' does not exist[^\n]*$/);
    expect(JSON.parse(out)).toMatchObject({ error: { kind: 'NotFoundError', exitCode: 1, message: expect.stringContaining(dir) } });
  });
});

describe('colours', () => {
  it('only on a terminal, never with NO_COLOR, forced by FORCE_COLOR, not on TERM=dumb', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true); // no-color.org: only a non-empty value counts
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
    expect(styleFor({ isTTY: true }, {}).red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(styleFor({ isTTY: false }, {}).red('x')).toBe('x');
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BIN = fileURLToPath(new URL('../bin/tinyflow.mjs', import.meta.url));

/** `tinyflow ARGS` as a process through bin/ (a checkout without dist/: the sources via tsx), stdout and stderr piped. */
function tinyflow(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const base = { ...process.env };
    delete base.NO_COLOR;
    delete base.FORCE_COLOR;
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the tinyflow process', () => {
  // Each process loads the framework through tsx (seconds), so they all start at once.
  let runs: Record<'piped' | 'forced' | 'noColor' | 'info' | 'train' | 'explain' | 'bench' | 'version', Run>;
  let benchOut: string;
  beforeAll(async () => {
    benchOut = mkdtempSync(join(tmpdir(), 'tinyflow-cli-bench-'));
    const [piped, forced, noColor, info, train, explain, bench, version] = await Promise.all([
      tinyflow(['trian']),
      tinyflow(['trian'], { FORCE_COLOR: '1' }),
      tinyflow(['trian'], { FORCE_COLOR: '1', NO_COLOR: '1' }),
      tinyflow(['info', '--json']),
      tinyflow(['train', '--steps', '3', '--backend', 'cpu', '--json']),
      tinyflow(['explain', '--backend', 'cpu', '--batch', '4', '--json']),
      tinyflow(['bench', '--quick', '--peers', 'none', '--backends', 'cpu', '--no-passes', '--workloads', 'seed', '--json', '--out', benchOut]),
      tinyflow(['--version']),
    ]);
    runs = { piped, forced, noColor, info, train, explain, bench, version };
    rmSync(benchOut, { recursive: true, force: true });
  }, 180_000);

  it('exit codes reach the shell: 2 for a usage error, 0 for --version', () => {
    expect(runs.piped.code).toBe(2);
    expect(runs.version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('piped output has no colour codes; FORCE_COLOR adds them; NO_COLOR wins', () => {
    expect(runs.piped.stderr).toMatch(/^tinyflow: unknown command 'trian'/);
    expect(runs.piped.stderr).not.toContain('\x1b[');
    expect(runs.forced.stderr).toMatch(/^\x1b\[31mtinyflow:\x1b\[39m unknown command 'trian'/);
    // (node itself warns that it ignores NO_COLOR beside FORCE_COLOR; tinyflow does not ignore it.)
    expect(runs.noColor.stderr).toMatch(/^tinyflow: unknown command 'trian'/);
    expect(runs.noColor.stderr).not.toContain('\x1b[');
  });

  it.each(['info', 'train', 'explain', 'bench'] as const)('%s --json: stdout is one JSON document and nothing else, exit 0', (name) => {
    const run = runs[name];
    expect(run.code, run.stderr).toBe(0);
    expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
    expect(run.stdout.trimStart().startsWith('{')).toBe(true);
  });
});

describe('tinyflow studio --web --json', () => {
  it('prints {"url"} on stdout once the web host serves; the host\'s own lines go to stderr', async () => {
    // A built app whose web host (the real contract: its "is running at URL" line) starts and exits.
    const root = mkdtempSync(join(tmpdir(), 'tinyflow-studio-json-'));
    try {
      mkdirSync(join(root, 'out/main'), { recursive: true });
      mkdirSync(join(root, 'out/renderer'), { recursive: true });
      writeFileSync(join(root, 'out/main/web-host.js'),
        "console.log('tinyflow studio: worker ready');\nconsole.log('tinyflow studio (web) is running at http://127.0.0.1:4321/');\n");
      writeFileSync(join(root, 'out/main/compute-worker.js'), '');
      writeFileSync(join(root, 'out/renderer/index.html'), '');
      const out: string[] = [];
      const err: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
      const code = await studioCommand(['--web', '--json'], root);
      vi.restoreAllMocks();
      expect(code).toBe(0);
      expect(out.map((line) => JSON.parse(line) as unknown)).toEqual([{ url: 'http://127.0.0.1:4321/' }]);
      expect(err.join('')).toBe('tinyflow studio: worker ready\ntinyflow studio (web) is running at http://127.0.0.1:4321/\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
