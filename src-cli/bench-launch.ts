/**
 * `tinyflow bench` from the sources runs in-process; from the built package (dist/) it runs the
 * checkout's bench through tsx, because the bench drives TF.js and numpy peers from its own TypeScript
 * files, which the npm package does not ship. An installed package without them says so.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../src-core/errors';
import { packageInfo } from './version';

export async function runBench(argv: string[], fromSources = import.meta.url.endsWith('.ts')): Promise<number> {
  if (fromSources) {
    // Not a literal specifier, so the library bundle (scripts/build-lib.mjs) leaves the bench out.
    const specifier = './commands/bench';
    const { benchCommand } = (await import(specifier)) as typeof import('./commands/bench');
    return benchCommand(argv);
  }
  const { root } = packageInfo();
  const script = join(root, 'bench', 'run.ts');
  if (!existsSync(script) || !existsSync(join(root, 'node_modules', 'tsx'))) {
    throw new UnavailableError(
      'bench runs from a checkout of tinyflow studio (it compares against TF.js and numpy, which the npm package ' +
        `does not install); in a clone run 'npm install' then 'npm run bench' (looked for ${script})`,
    );
  }
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...argv], { cwd: root, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}
