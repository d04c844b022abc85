/**
 * Chainable arithmetic on Tensor (JS has no operator overloading): `W.sub(W_grad.mul(0.5))`.
 * Installed on the prototype here so the graph module stays free of op imports.
 */
import { Tensor } from '../graph/tensor';
import type { DType } from '../graph/dtype';
import * as m from './math-core';
import type { TensorLike } from './convert';

declare module '../graph/tensor' {
  interface Tensor {
    add(y: TensorLike): Tensor;
    sub(y: TensorLike): Tensor;
    mul(y: TensorLike): Tensor;
    div(y: TensorLike): Tensor;
    pow(y: TensorLike): Tensor;
    neg(): Tensor;
    matmul(y: TensorLike, options?: { transpose_a?: boolean; transpose_b?: boolean }): Tensor;
    exp(): Tensor;
    log(): Tensor;
    square(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    cast(dtype: DType): Tensor;
    reshape(shape: number[]): Tensor;
    transpose(perm?: number[]): Tensor;
  }
}

const proto = Tensor.prototype;
proto.add = function (y) { return m.add(this, y); };
proto.sub = function (y) { return m.sub(this, y); };
proto.mul = function (y) { return m.mul(this, y); };
proto.div = function (y) { return m.div(this, y); };
proto.pow = function (y) { return m.pow(this, y); };
proto.neg = function () { return m.neg(this); };
proto.matmul = function (y, options = {}) { return m.matmul(this, y, options.transpose_a ?? false, options.transpose_b ?? false); };
proto.exp = function () { return m.exp(this); };
proto.log = function () { return m.log(this); };
proto.square = function () { return m.square(this); };
proto.sqrt = function () { return m.sqrt(this); };
proto.abs = function () { return m.abs(this); };
proto.cast = function (dtype) { return m.cast(this, dtype); };
proto.reshape = function (shape) { return m.reshape(this, shape); };
proto.transpose = function (perm) { return m.transpose(this, perm ?? null); };
