/**
 * The tinyflow-studio package this CLI runs from, found by walking up from this module, so it is the
 * same answer from the sources (src-cli/) and from the built package (dist/cli/ or dist/chunks/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageInfo {
  root: string;
  version: string;
}

export function packageInfo(from: string = fileURLToPath(import.meta.url)): PackageInfo {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'tinyflow-studio' && typeof pkg.version === 'string') return { root: dir, version: pkg.version };
    }
    if (dirname(dir) === dir) throw new Error(`no tinyflow-studio package.json above ${from}`);
  }
}
