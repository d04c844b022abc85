/** tf.nn: activations and softmax (the layers and losses of later issues join here). */
import type { Tensor } from '../graph/tensor';
import * as m from './math-core';
import type { TensorLike } from './convert';
import { nameOf, type NameOption } from './options';

type Name = string | NameOption;

export const relu = (x: TensorLike, name?: Name): Tensor => m.relu(x, nameOf('relu', name));
export const sigmoid = (x: TensorLike, name?: Name): Tensor => m.sigmoid(x, nameOf('sigmoid', name));
export const tanh = (x: TensorLike, name?: Name): Tensor => m.tanh(x, nameOf('tanh', name));
export const softmax = (logits: TensorLike, name?: Name): Tensor => m.softmax(logits, nameOf('softmax', name));
export const log_softmax = (logits: TensorLike, name?: Name): Tensor => m.logSoftmax(logits, nameOf('log_softmax', name));
