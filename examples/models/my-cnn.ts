// A tinyflow model file (see API.md "Model files"): a small CNN on 28×28 grayscale digits, written with
// TF-1's explicit Variables. Train it with `npx tinyflow train --model examples/models/my-cnn.ts`, or open
// it in the studio (Open model…). The studio adds the labels, the loss, the optimizer and the metrics.
import type * as TF from '../../src-core';

export const input = [28, 28, 1]; // one example: a 28×28 image with one channel (NHWC)

export default function model(tf: typeof TF, x: TF.Tensor, { training }: { training: TF.Tensor }): TF.Tensor {
  // conv 5×5, 8 filters, stride 2: 28×28 → 14×14
  const W1 = tf.Variable(tf.truncated_normal([5, 5, 1, 8], { stddev: 0.1 }), { name: 'conv1/W' });
  const b1 = tf.Variable(tf.constant(0.1, { shape: [8] }), { name: 'conv1/b' });
  let h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, W1, [1, 2, 2, 1], 'SAME'), b1));
  // batch normalization: batch statistics while training, the moving ones when evaluating
  h = tf.layers.batch_normalization(h, { momentum: 0.9, training, name: 'bn1' });
  // 2×2 max pool: 14×14 → 7×7
  h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME');
  h = tf.reshape(h, [-1, 7 * 7 * 8]);
  h = tf.layers.dense(h, 64, { activation: tf.nn.relu, name: 'fc1' });
  h = tf.layers.dropout(h, { rate: 0.25, training });
  return tf.layers.dense(h, 10, { name: 'logits' }); // [null, 10]: ten classes
}
