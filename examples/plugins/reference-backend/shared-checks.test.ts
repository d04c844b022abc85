import { describe, expect, it } from 'vitest';
import * as tf from '../../../src-core';
import { withPrimitiveChecks } from '../../../backends/registry';
import { defineOp } from '../../../src-core/ops/op-def';
import { apply } from '../../../src-core/ops/apply';
import { createReferenceBackend } from './index';

// The plugin checks nothing itself (it trusts its descriptors); the shared checks stand in front of it.
describe('the shared primitive checks guard a plugin backend', () => {
  const badBinary = { shape: [2, 3], aStrides: [3, 1], bStrides: [3, 1] };

  it('a bad binary call is refused naming the backend, the op and the shapes; the bare plugin would run it', () => {
    const plugin = createReferenceBackend();
    const [a, b, out] = [plugin.alloc('float32', 4), plugin.alloc('float32', 6), plugin.alloc('float32', 6)];
    expect(() => plugin.binary('add', a, b, out, badBinary)).not.toThrow();
    const checked = withPrimitiveChecks(plugin);
    expect(() => checked.binary('add', a, b, out, badBinary)).toThrow(
      'reference binary add: a view reads elements 0..5 of a buffer of 4 elements (view shape [2, 3], strides [3, 1], offset 0)',
    );
    expect(() => checked.unary('erf' as 'exp', a, a)).toThrow("reference unary: unknown op 'erf'");
    expect(() => checked.reduce('sum', b, out, { outer: 2, reduce: 3, inner: 1 }))
      .toThrow('reference reduce sum: out is float32[6] but reducing [outer 2, reduce 3, inner 1] gives 2 elements');
    expect(() => checked.matmul(a, b, out, { batch: 1, m: 2, n: 3, k: 2, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 }))
      .not.toThrow();
    expect(() => checked.matmul(a, a, out, { batch: 1, m: 2, n: 3, k: 2, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 }))
      .toThrow('reference matmul: b is float32[4] but batch 1 of [2, 2] x [2, 3] with batch stride 0 reads 6 elements');
    expect(withPrimitiveChecks(checked)).toBe(checked);
    expect(checked.softmax).toBeTypeOf('function'); // optional kernels the plugin has pass through
    expect(checked.elementwise).toBeUndefined(); // and the ones it lacks stay absent
  });

  it('a session lowers every op through them: an op whose lowering is wrong fails by name on the plugin', async () => {
    const Wrong = defineOp({
      type: 'TestWrongLowering',
      inferOutputs: ([x]) => [x],
      // A lowering bug: a binary over 2 more elements than the buffers hold.
      lower(ctx, node) {
        const [x] = node.inputs;
        const [out] = node.outputs;
        const { backend } = ctx;
        const n = out.buffer.size + 2;
        ctx.emit(() => backend.binary('add', x.buffer, x.buffer, out.buffer, { shape: [n], aStrides: [1], bStrides: [1] }));
      },
      reference: ([x]) => [x],
    });
    const graph = new tf.Graph();
    const x = graph.as_default(() => tf.placeholder('float32', { shape: [3] }));
    const y = graph.as_default(() => apply(Wrong, [x], {}));
    const sess = tf.Session({ backend: createReferenceBackend(), graph });
    await expect(sess.run(y, { feed_dict: new Map([[x, [1, 2, 3]]]) })).rejects.toThrow(
      /reference binary add: out is float32\[3\] but the output shape \[5\] has 5 elements/,
    );
    sess.close();
  });
});
