/**
 * Reads a packaged app (resources/app.asar plus app.asar.unpacked, as electron-builder writes them) and
 * follows what the built bundles reach at run time, from package.json's `main`: static and dynamic
 * imports and requires, `new URL('…', import.meta.url)` files and folders (workers, preload, renderer,
 * wasm, digits), the renderer page's own scripts and styles, and every bare package with its
 * dependencies, each resolved the way Node would inside the archive. Anything missing is a problem.
 */
import { getRawHeader, extractFile } from '@electron/asar';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, posix } from 'node:path';
import ts from 'typescript';

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  unpacked?: boolean;
  link?: string;
}

export interface PackagedEntry {
  dir: boolean;
  unpacked: boolean;
}

/** The app's files by path relative to the app root ('out/main/index.js'), folders included. */
export class PackagedApp {
  readonly entries = new Map<string, PackagedEntry>();
  private readonly archive: string;

  constructor(readonly resourcesDir: string) {
    this.archive = join(resourcesDir, 'app.asar');
    const walk = (node: HeaderNode, at: string): void => {
      for (const [name, child] of Object.entries(node.files ?? {})) {
        const path = at === '' ? name : `${at}/${name}`;
        const dir = child.files !== undefined;
        this.entries.set(path, { dir, unpacked: child.unpacked === true });
        if (dir) walk(child, path);
      }
    };
    walk(getRawHeader(this.archive).header as HeaderNode, '');
  }

  isFile(path: string): boolean {
    return this.entries.get(path)?.dir === false;
  }

  isDir(path: string): boolean {
    return this.entries.get(path)?.dir === true;
  }

  isUnpacked(path: string): boolean {
    return this.entries.get(path)?.unpacked === true;
  }

  read(path: string): string {
    if (this.isUnpacked(path)) return readFileSync(join(this.resourcesDir, 'app.asar.unpacked', path), 'utf8');
    return extractFile(this.archive, path).toString('utf8');
  }

  /** Files below `dir` (recursively). */
  filesUnder(dir: string): string[] {
    return [...this.entries].filter(([path, entry]) => !entry.dir && path.startsWith(`${dir}/`)).map(([path]) => path);
  }
}

export interface Reach {
  /** What is missing: "<what> (needed by <file>)". */
  problems: string[];
  /** Every app file reached (JavaScript, data, folders), in the order found. */
  files: string[];
  /** Every package reached, by its folder ('node_modules/zod'). */
  packages: string[];
}

const JS = /\.(c|m)?js$/;

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Specifiers a module imports, exports from or requires with a literal, dynamic imports included. */
function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The literal paths of `new URL('…', import.meta.url)` calls (real calls, not ones in comments). */
function urlRefs(source: string): string[] {
  const file = ts.createSourceFile('bundle.js', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const refs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' && node.arguments?.length === 2) {
      const [path, base] = node.arguments as unknown as [ts.Expression, ts.Expression];
      const isImportMetaUrl = ts.isPropertyAccessExpression(base) && ts.isMetaProperty(base.expression) && base.name.text === 'url';
      if (isImportMetaUrl && (ts.isStringLiteral(path) || ts.isNoSubstitutionTemplateLiteral(path))) refs.push(path.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return refs;
}

/** The files a page loads from beside it (script src, link href). */
function pageRefs(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((ref) => !/^[a-z]+:/i.test(ref) && !ref.startsWith('#'));
}

type Exports = string | null | Exports[] | { [key: string]: Exports };

/** The file a package's `exports` (the '.' entry, Node's conditions) or `main` names. */
function packageEntry(manifest: { exports?: Exports; main?: string }): string {
  const pick = (value: Exports | undefined): string | null => {
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(pick).find((v) => v !== null) ?? null;
    const keys = Object.keys(value);
    if (keys.some((k) => k.startsWith('.'))) return pick(value['.']);
    for (const condition of ['node', 'import', 'require', 'default']) {
      const chosen = pick(value[condition]);
      if (chosen !== null) return chosen;
    }
    return null;
  };
  return pick(manifest.exports) ?? manifest.main ?? 'index.js';
}

export function followPackagedApp(app: PackagedApp): Reach {
  const problems: string[] = [];
  const files: string[] = [];
  const packages: string[] = [];
  const seen = new Set<string>();
  const queue: string[] = [];
  const reach = (path: string, from: string, what: string): boolean => {
    const exists = app.isFile(path) || (path.endsWith('/') ? app.filesUnder(path.slice(0, -1)).length > 0 : false);
    if (!exists) {
      problems.push(`${path} (${what}, needed by ${from}) is not in the packaged app`);
      return false;
    }
    if (!seen.has(path)) {
      seen.add(path);
      files.push(path);
      if (JS.test(path)) queue.push(path);
    }
    return true;
  };

  /** Node's lookup: node_modules/<name> in the importer's folder and each folder above it. */
  const findPackage = (name: string, fromDir: string): string | null => {
    for (let dir = fromDir; ; dir = posix.dirname(dir)) {
      const candidate = posix.join(dir === '.' ? '' : dir, 'node_modules', name);
      if (app.isFile(`${candidate}/package.json`)) return candidate;
      if (dir === '.' || dir === '') return null;
    }
  };
  const requirePackage = (name: string, fromDir: string, from: string, optional: boolean): void => {
    const folder = findPackage(name, fromDir);
    if (folder === null) {
      if (!optional) problems.push(`the package '${name}' (needed by ${from}) is not in the packaged app`);
      return;
    }
    if (packages.includes(folder)) return;
    packages.push(folder);
    const manifest = JSON.parse(app.read(`${folder}/package.json`)) as {
      exports?: Exports; main?: string; types?: string; typings?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>;
    };
    const entry = posix.normalize(posix.join(folder, packageEntry(manifest)));
    const candidates = [entry, `${entry}.js`, `${entry}/index.js`];
    // A declarations-only package (@webgpu/types) has no code to load; its .d.ts files are rightly left out.
    const typesOnly = manifest.exports === undefined && !manifest.main && (manifest.types ?? manifest.typings) !== undefined;
    if (!typesOnly && !candidates.some((c) => app.isFile(c))) problems.push(`${entry} (the entry of '${name}', needed by ${from}) is not in the packaged app`);
    const optionalDeps = manifest.optionalDependencies ?? {};
    for (const dep of Object.keys(manifest.dependencies ?? {})) requirePackage(dep, folder, folder, dep in optionalDeps);
  };

  const manifest = JSON.parse(app.read('package.json')) as { main?: string; type?: string; optionalDependencies?: Record<string, string> };
  if (manifest.main === undefined) {
    problems.push("package.json has no 'main': Electron has no entry point");
    return { problems, files, packages };
  }
  if (manifest.type !== 'module') problems.push("package.json's type is not 'module': Electron would load the ES module bundles as CommonJS");
  reach(posix.normalize(manifest.main), 'package.json', "package.json's main");

  while (queue.length > 0) {
    const file = queue.shift()!;
    const dir = posix.dirname(file);
    const source = app.read(file);
    for (const specifier of importSpecifiers(source)) {
      if (isBuiltin(specifier) || specifier === 'electron') continue;
      if (specifier.startsWith('.')) reach(posix.normalize(posix.join(dir, specifier)), file, `import '${specifier}'`);
      else requirePackage(packageName(specifier), dir, file, packageName(specifier) in (manifest.optionalDependencies ?? {}));
    }
    for (const ref of urlRefs(source)) {
      const target = posix.normalize(posix.join(dir, ref));
      // The sources' TypeScript twin ('./compute-worker.ts', run through tsx) is used only where the built file is missing.
      if (target.endsWith('.ts') && app.isFile(target.replace(/\.ts$/, '.js'))) continue;
      const folder = target.replace(/\/$/, '');
      if (!target.endsWith('/') && !app.isDir(folder)) {
        reach(target, file, `new URL('${ref}', import.meta.url)`);
        continue;
      }
      if (!reach(`${folder}/`, file, `the folder new URL('${ref}', import.meta.url)`)) continue;
      // A page served from that folder (the renderer): its own scripts and styles must be there too.
      if (app.isFile(`${folder}/index.html`) && reach(`${folder}/index.html`, file, 'the renderer page')) {
        for (const pageRef of pageRefs(app.read(`${folder}/index.html`))) reach(posix.normalize(posix.join(folder, pageRef)), `${folder}/index.html`, `'${pageRef}'`);
      }
    }
  }
  return { problems, files, packages };
}
