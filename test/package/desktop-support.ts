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
import { parseAst } from 'vite';

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

interface AstNode {
  type: string;
  [key: string]: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function literal(node: unknown): string | null {
  if (!isNode(node)) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  const quasis = node.quasis as { value: { cooked: string } }[] | undefined;
  if (node.type === 'TemplateLiteral' && quasis?.length === 1) return quasis[0]!.value.cooked;
  return null;
}

function isImportMetaUrl(node: unknown): boolean {
  return isNode(node) && node.type === 'MemberExpression' && isNode(node.object) && node.object.type === 'MetaProperty' &&
    isNode(node.property) && node.property.name === 'url';
}

/**
 * What a bundle loads, from its syntax tree (so nothing in a comment or a string counts): the
 * specifiers it imports, exports from, imports dynamically or requires with a literal, and the literal
 * paths of its `new URL('…', import.meta.url)` calls.
 */
function bundleRefs(source: string): { specifiers: string[]; urls: string[] } {
  const specifiers: string[] = [];
  const urls: string[] = [];
  const visit = (node: AstNode): void => {
    switch (node.type) {
      case 'ImportDeclaration':
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
      case 'ImportExpression': {
        const specifier = literal(node.source);
        if (specifier !== null) specifiers.push(specifier);
        break;
      }
      case 'CallExpression': {
        const args = node.arguments as unknown[];
        const specifier = args.length === 1 ? literal(args[0]) : null;
        if (isNode(node.callee) && node.callee.type === 'Identifier' && node.callee.name === 'require' && specifier !== null) specifiers.push(specifier);
        break;
      }
      case 'NewExpression': {
        const args = node.arguments as unknown[];
        const path = literal(args[0]);
        if (isNode(node.callee) && node.callee.type === 'Identifier' && node.callee.name === 'URL' && args.length === 2 && path !== null && isImportMetaUrl(args[1])) urls.push(path);
        break;
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const item of value) if (isNode(item)) visit(item);
      if (isNode(value)) visit(value);
    }
  };
  visit(parseAst(source) as unknown as AstNode);
  return { specifiers, urls };
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
    const { specifiers, urls } = bundleRefs(app.read(file));
    for (const specifier of specifiers) {
      if (isBuiltin(specifier) || specifier === 'electron') continue;
      if (specifier.startsWith('.')) reach(posix.normalize(posix.join(dir, specifier)), file, `import '${specifier}'`);
      else requirePackage(packageName(specifier), dir, file, packageName(specifier) in (manifest.optionalDependencies ?? {}));
    }
    for (const ref of urls) {
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
