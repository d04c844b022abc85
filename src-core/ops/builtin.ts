/**
 * The built-in op definitions: importing this module registers every one (each op module calls
 * defineOp when it loads). Builders (api/math-core.ts) look definitions up by name, so whatever
 * builds or differentiates graphs imports this once: src-core/index.ts and autodiff.ts do.
 * A new op module is added here, in one line.
 */
import './bias-add';
import './concat';
import './constant';
import './conv2d';
import './conv2d-backprop';
import './cross-entropy';
import './elementwise-binary';
import './elementwise-unary';
import './expand-squeeze';
import './flatten';
import './gather';
import './layout';
import './matmul';
import './one-hot';
import './pad';
import './pooling';
import './pooling-grad';
import './random';
import './reduce';
import './select';
import './shape-info';
import './shape-of';
import './slice';
import './softmax';
import './state';
import './tile';

export { registeredOpTypes, getOpDef, opDef } from './op-def';
