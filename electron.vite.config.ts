/**
 * electron-vite: main (the Electron main process, the compute worker and the web host: one Node build,
 * so both hosts spawn the same out/main/compute-worker.js), preload (CommonJS, as a sandboxed preload
 * must be) and the renderer (Vue), each in its own block.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

/**
 * The wasm backend loads its kernels from beside its module (`new URL('./kernels.wasm',
 * import.meta.url)`, and every other kernels*.wasm build of them); the Node build does not copy such
 * assets, so put all of them beside the bundled worker.
 */
function copyWasmKernels(outDir: string): Plugin {
  return {
    name: 'tinyflow-copy-wasm-kernels',
    writeBundle() {
      mkdirSync(outDir, { recursive: true });
      for (const name of readdirSync(resolve('backends/wasm')).filter((n) => /^kernels.*\.wasm$/.test(n))) {
        copyFileSync(resolve('backends/wasm', name), resolve(outDir, name));
      }
    },
  };
}

export default defineConfig({
  main: {
    plugins: [copyWasmKernels('out/main')],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src-main/electron/main.ts'),
          'compute-worker': resolve('src-main/worker/compute-worker.ts'),
          'compare-thread': resolve('src-main/worker/compare-thread.ts'),
          'model-check-thread': resolve('src-main/worker/model-check-thread.ts'),
          'web-host': resolve('src-main/web/main.ts'),
        },
        // Chunks beside the entries, so spawn-worker's './compute-worker.js' resolves from any of them.
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
  },
});
