import { describe, expect, it } from 'vitest';
import { newBackend, webgpuUnavailableReason } from './test-support';

const reason = await webgpuUnavailableReason();
if (reason !== null) console.log(`webgpu device tests skipped: ${reason}`);

// logicalNot is the one unary op whose output dtype (bool) differs from its input's: the shader must
// store u32 0/1, not the input type's 1 (as f32, 1065353216 once read back as bool storage).
describe.skipIf(reason !== null)('webgpu unary logicalNot', () => {
  it.each(['float32', 'int32', 'bool'] as const)('of %s input writes bool 1 where x is 0, else 0', async (dtype) => {
    const backend = await newBackend();
    try {
      const x = backend.alloc(dtype, 4);
      backend.write(x, dtype === 'float32' ? Float32Array.of(0, 2.5, -0, -1) : dtype === 'int32' ? Int32Array.of(0, 3, 0, -1) : Uint8Array.of(0, 1, 0, 1));
      const out = backend.alloc('bool', 4);
      backend.unary('logicalNot', x, out);
      expect([...(await backend.read(out))]).toEqual([1, 0, 1, 0]);
    } finally {
      backend.dispose();
    }
  });
});
