import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'resources', 'bench/results', '**/*.wasm'] },
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
    // until it finishes loading) and tangle the layering: src-core imports backends/registry, never
    // a concrete backend, and ops never import the builders that use them. Type-only imports are
    // erased at compile time, so they do not count.
    files: ['src-core/**/*.ts', 'backends/**/*.ts', 'src-cli/**/*.ts', 'src-main/**/*.ts', 'src-app-api/**/*.ts', 'src-preload/**/*.ts'],
    // Nothing imports a test file, so none can be on a cycle; skipping them halves the rule's time.
    ignores: ['**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these import-x parses no .ts dependency, and every cycle goes unseen.
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
      // Parsed modules are cached for 30 s by default: a lint run outlives that and would re-parse.
      'import-x/cache': { lifetime: Infinity },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'tsconfig.node.json'], noWarnOnMultipleProjects: true })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
