import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const SOURCE_FILES = ['src-core/**/*.ts', 'backends/**/*.ts', 'src-cli/**/*.ts', 'src-main/**/*.ts', 'src-app-api/**/*.ts', 'src-preload/**/*.ts'];

const IMPORT_SETTINGS = {
  // Without these import-x parses no .ts dependency, and every cycle goes unseen.
  'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
  'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
  // Parsed modules are cached for 30 s by default: a lint run outlives that and would re-parse.
  'import-x/cache': { lifetime: Infinity },
  'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'tsconfig.node.json'], noWarnOnMultipleProjects: true })],
};

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'resources', 'bench/results', 'docs/api', 'release', '**/*.wasm'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Import cycles make evaluation order matter (a module sees another's exports as undefined
    // until it finishes loading) and tangle the layering. Type-only imports are erased at compile
    // time, so they do not count.
    files: SOURCE_FILES,
    // Nothing imports a test file, so none can be on a cycle; skipping them halves the rule's time.
    ignores: ['**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: IMPORT_SETTINGS,
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // One-way layering: backends import only src-core/base (dtype, shapes, errors); src-core reaches
    // the backends only through the registry and the plugin contract, and the built-in backends
    // register at the entry point (src-core/index.ts). Tests and benchmark scripts may import anything.
    files: ['src-core/**/*.ts', 'backends/**/*.ts'],
    ignores: ['**/*.test.ts', 'src-core/index.ts', '**/test-support.ts', '**/testing.ts', 'backends/**/speed.ts'],
    plugins: { 'import-x': importX },
    settings: IMPORT_SETTINGS,
    rules: {
      'import-x/no-restricted-paths': ['error', {
        zones: [
          {
            target: './backends', from: './src-core', except: ['./base'],
            message: 'backends import only src-core/base (move what they need there)',
          },
          {
            target: './src-core', from: './backends', except: ['./registry.ts', './interface.ts', './primitive-ops.ts'],
            message: 'src-core reaches backends only through backends/registry (built-ins register in src-core/index.ts)',
          },
        ],
      }],
    },
  },
);
