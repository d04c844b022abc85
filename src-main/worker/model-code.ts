/**
 * The graph code shown in the Train view: the TypeScript a user would write for each model of the zoo.
 * Models without a snippet here (new zoo entries) get a generic one built from the zoo's own description.
 */
const SNIPPETS: Record<string, string> = {
  softmax: `import * as tf from 'tinyflow';

const x = tf.placeholder(tf.float32, [null, 784]);
const W = tf.Variable(tf.zeros([784, 10]));
const y = tf.nn.softmax(tf.matmul(x, W));
const y_ = tf.placeholder(tf.float32, [null, 10]);
const cross_entropy = tf.reduce_mean(
  tf.negative(tf.reduce_sum(tf.multiply(y_, tf.log(y)), { reduction_indices: [1] })));
const W_grad = tf.gradients(cross_entropy, [W])[0]!;
const train_step = tf.assign(W, tf.subtract(W, tf.multiply(learning_rate, W_grad)));

const sess = tf.Session({ backend });
await sess.run(tf.initialize_all_variables());
for (let i = 0; i < steps; i++) {
  const [batch_xs, batch_ys] = mnist.train.next_batch(batch_size);
  await sess.run(train_step, { feed_dict: [[x, batch_xs], [y_, batch_ys]] });
}`,
  mlp: `import * as tf from 'tinyflow';

const x = tf.placeholder(tf.float32, [null, 784]);
const h1 = tf.nn.relu(tf.nn.linear(x, { num_hidden: 128, name: 'fc1' }));
const logits = tf.nn.linear(h1, { num_hidden: 10, name: 'fc2' });
const label = tf.placeholder(tf.float32, [null]);
const loss = tf.nn.mean_sparse_softmax_cross_entropy_with_logits(logits, label);
const train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss);`,
  lenet: `import * as tf from 'tinyflow';

const x = tf.placeholder(tf.float32, [null, 1, 28, 28]);
let h = tf.nn.conv2d(x, { num_filter: 20, ksize: 5, name: 'conv1' });
h = tf.nn.max_pool(tf.nn.tanh(h), { ksize: [1, 1, 2, 2], strides: [1, 1, 2, 2] });
h = tf.nn.conv2d(h, { num_filter: 50, ksize: 5, name: 'conv2' });
h = tf.nn.flatten_layer(tf.nn.max_pool(tf.nn.tanh(h), { ksize: [1, 1, 2, 2], strides: [1, 1, 2, 2] }));
const logits = tf.nn.linear(tf.nn.tanh(tf.nn.linear(h, { num_hidden: 500 })), { num_hidden: 10 });`,
};

export function modelCode(name: string, description: string): string {
  return SNIPPETS[name] ?? `// ${name}: ${description}\nconst model = MODELS['${name}'].build({ learningRate });`;
}
