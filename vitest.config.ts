import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src-core/**/*.test.ts', 'backends/**/*.test.ts', 'src-cli/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts',
      'src-main/**/*.test.ts', 'src-renderer/**/*.test.ts', 'src-app-api/**/*.test.ts', 'bench/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
