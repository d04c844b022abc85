/**
 * The exporter reads its schema from the embedded text, never from onnx.proto on disk: bundled by
 * esbuild (as build:lib does) into a folder with no .proto in reach, it still encodes a model that
 * onnxruntime runs.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';

const entry = fileURLToPath(new URL('./onnx/schema.ts', import.meta.url));

describe('ONNX schema in a bundle', () => {
  it('parses and encodes from the embedded text in an esbuild bundle placed away from the sources', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyflow-onnx-bundle-'));
    try {
      const outfile = join(dir, 'schema.mjs');
      await build({ entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], logLevel: 'silent' });
      expect(readdirSync(dir)).toEqual(['schema.mjs']);
      const bundled = (await import(pathToFileURL(outfile).href)) as typeof import('./onnx/schema');
      const type = bundled.onnxModelType();
      // The smallest useful model: y = Relu(x) on [2].
      const vi = (name: string) => ({ name, type: { tensor_type: { elem_type: bundled.OnnxDType.FLOAT, shape: { dim: [{ dim_value: 2 }] } } } });
      const model = {
        ir_version: 8,
        opset_import: [{ domain: '', version: 17 }],
        graph: { name: 'g', node: [{ op_type: 'Relu', input: ['x'], output: ['y'] }], input: [vi('x')], output: [vi('y')] },
      };
      const bytes = type.encode(type.fromObject(model)).finish();
      const session = await ort.InferenceSession.create(bytes);
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([-1, 2]), [2]) });
      expect(Array.from(out.y.data as Float32Array)).toEqual([0, 2]);
      await session.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
