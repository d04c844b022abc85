/**
 * `tf.train`: the optimizers and the Saver. Each is a factory that works with and without `new`, and
 * `instanceof` sees through it (`opt instanceof tf.train.AdamOptimizer`).
 */
import { Tensor } from '../../graph/tensor';
import { Adam, type AdamOptions } from './adam';
import { GradientDescent, type GradientDescentOptions } from './gradient-descent';
import { Momentum, type MomentumOptions } from './momentum';
import { RMSProp, type RMSPropOptions } from './rmsprop';
import { Adagrad, type AdagradOptions } from './adagrad';
import { Saver as SaverClass, type SaverOptions } from '../saver';
import { guarded } from '../options';

export { Optimizer, type GradAndVar, type MinimizeOptions, type ComputeGradientsOptions, type ApplyGradientsOptions } from './optimizer';
export type { AdamOptions, GradientDescentOptions, MomentumOptions, SaverOptions, RMSPropOptions, AdagradOptions };
export { exponential_decay, get_global_step, get_or_create_global_step, type ExponentialDecayOptions } from './learning-rate-decay';

type Factory<A extends unknown[], T> = {
  (...args: A): T;
  new (...args: A): T;
};

function factory<A extends unknown[], T extends object>(cls: { prototype: T; name: string }, make: (...args: A) => T, name: string = cls.name): Factory<A, T> {
  // A function that returns an object gives that object to `new` as well.
  const f = guarded(`train.${name}`, function (...args: A): T {
    return make(...args);
  });
  f.prototype = cls.prototype;
  return f as unknown as Factory<A, T>;
}

/**
 * Plain gradient descent: var -= learning_rate * grad.
 * @example
 * ```ts
 * const train_step = tf.train.GradientDescentOptimizer(0.5).minimize(loss);
 * await sess.run(train_step, { feed_dict: [[x, xs], [y_, ys]] });
 * ```
 */
export const GradientDescentOptimizer = factory(GradientDescent, (learning_rate: number | Tensor, options?: GradientDescentOptions) =>
  new GradientDescent(learning_rate, options), 'GradientDescentOptimizer');
export type GradientDescentOptimizer = GradientDescent;

/**
 * Gradient descent with momentum.
 * @example
 * ```ts
 * const train_step = tf.train.MomentumOptimizer(0.01, 0.9).minimize(loss);
 * ```
 */
export const MomentumOptimizer = factory(Momentum, (learning_rate: number | Tensor, momentum: number, options?: MomentumOptions) =>
  new Momentum(learning_rate, momentum, options), 'MomentumOptimizer');
export type MomentumOptimizer = Momentum;

/**
 * AdamOptimizer(learning_rate?, {beta1, beta2, epsilon, name}) or AdamOptimizer({learning_rate, ...}).
 * @example
 * ```ts
 * const train_step = tf.train.AdamOptimizer(1e-4).minimize(loss);
 * ```
 */
export const AdamOptimizer = factory(Adam, (learning_rate?: number | Tensor | AdamOptions, options?: AdamOptions) =>
  typeof learning_rate === 'object' && !(learning_rate instanceof Tensor)
    ? new Adam(undefined, { ...learning_rate, ...options })
    : new Adam(learning_rate, options), 'AdamOptimizer');
export type AdamOptimizer = Adam;
/** RMSPropOptimizer(learning_rate, {decay, momentum, epsilon, centered, name}) or RMSPropOptimizer({learning_rate, ...}). */
export const RMSPropOptimizer = factory(RMSProp, (learning_rate: number | Tensor | RMSPropOptions, options?: RMSPropOptions) =>
  typeof learning_rate === 'object' && !(learning_rate instanceof Tensor)
    ? new RMSProp(undefined, { ...learning_rate, ...options })
    : new RMSProp(learning_rate, options), 'RMSPropOptimizer');
export type RMSPropOptimizer = RMSProp;
/** AdagradOptimizer(learning_rate, {initial_accumulator_value, name}) or AdagradOptimizer({learning_rate, ...}). */
export const AdagradOptimizer = factory(Adagrad, (learning_rate: number | Tensor | AdagradOptions, options?: AdagradOptions) =>
  typeof learning_rate === 'object' && !(learning_rate instanceof Tensor)
    ? new Adagrad(undefined, { ...learning_rate, ...options })
    : new Adagrad(learning_rate, options), 'AdagradOptimizer');
export type AdagradOptimizer = Adagrad;

/**
 * Saves and restores Variables as a safetensors file, written atomically.
 * @example
 * ```ts
 * const saver = tf.train.Saver();
 * await saver.save(sess, 'model.safetensors');
 * await saver.restore(sess, 'model.safetensors');
 * ```
 */
export const Saver = factory(SaverClass, (options?: ConstructorParameters<typeof SaverClass>[0]) => new SaverClass(options), 'Saver');
/**
 * What `tf.train.Saver()` returns: `save` and `restore`.
 * @interface
 * @example
 * ```ts
 * const saver: tf.train.Saver = tf.train.Saver();
 * ```
 */
export type Saver = SaverClass;
