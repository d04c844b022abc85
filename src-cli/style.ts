/**
 * Terminal colours for the CLI: only when the stream is a terminal, never with NO_COLOR set
 * (https://no-color.org), and forced on with FORCE_COLOR (for pipes that end in a terminal, and tests).
 */
export interface StreamLike {
  readonly isTTY?: boolean;
}

type Env = Record<string, string | undefined>;

export function colorEnabled(stream: StreamLike, env: Env = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export interface Style {
  bold(text: string): string;
  red(text: string): string;
  dim(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const plain = (text: string) => text;

export function styleFor(stream: StreamLike, env: Env = process.env): Style {
  return colorEnabled(stream, env) ? { bold: sgr(1, 22), red: sgr(31, 39), dim: sgr(2, 22) } : { bold: plain, red: plain, dim: plain };
}
