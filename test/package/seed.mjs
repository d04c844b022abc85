// The seed program (examples/mnist_softmax.ts) as a package user writes it: plain JavaScript, run with
// plain `node`, importing the installed package. Prints one JSON line: accuracy, backend, steps.
import * as tf from 'tinyflow-studio';
import { get_mnist } from 'tinyflow-studio/datasets';

const steps = Number(process.argv[2] ?? 1000);
const backend = process.argv[3] ?? 'wasm';

const x = tf.placeholder(tf.float32, [null, 784]);
const W = tf.Variable(tf.zeros([784, 10]));
const y = tf.nn.softmax(tf.matmul(x, W));
const y_ = tf.placeholder(tf.float32, [null, 10]);
const cross_entropy = tf.reduce_mean(tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));
const W_grad = tf.gradients(cross_entropy, [W])[0];
const train_step = tf.assign(W, tf.subtract(W, tf.multiply(0.5, W_grad)));

const sess = tf.Session({ backend });
await sess.run(tf.initialize_all_variables());
const mnist = get_mnist({ flatten: true, onehot: true });
for (let i = 0; i < steps; i++) {
  const [batch_xs, batch_ys] = mnist.train.next_batch(100);
  await sess.run(train_step, { feed_dict: [[x, batch_xs], [y_, batch_ys]] });
}
const accuracy = tf.reduce_mean(tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1)));
const acc = (await sess.run(accuracy, { feed_dict: [[x, mnist.test.images], [y_, mnist.test.labels]] })).item();
sess.close();
console.log(JSON.stringify({ accuracy: acc, backend, steps }));
