/**
 * The tfjs-wasm peer's LeNet trains with a conv2d whose filter gradient is built from ops the wasm
 * backend has (workloads/tfjs.ts). Checked here against tfjs-cpu's real Conv2DBackpropFilter kernel,
 * and its input gradient against tfjs's own, on the shapes LeNet uses and on strided ones.
 */
import * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dCustomFilterGrad } from './workloads/tfjs';
import { mulberry32 } from './rng';

function random(shape: [number, number, number, number], seed: number): tfjs.Tensor4D {
  const next = mulberry32(seed);
  return tfjs.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next() * 2 - 1), shape);
}

function maxAbsDiff(a: tfjs.Tensor, b: tfjs.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tfjs.max(tfjs.abs(tfjs.sub(a, b))).dataSync()[0];
}

beforeAll(async () => {
  await tfjs.setBackend('cpu');
});

describe('conv2dCustomFilterGrad', () => {
  const cases: { name: string; x: [number, number, number, number]; w: [number, number, number, number]; stride: number; pad: 'same' | 'valid' }[] = [
    { name: "LeNet's first conv (5×5, SAME, stride 1)", x: [3, 28, 28, 1], w: [5, 5, 1, 4], stride: 1, pad: 'same' },
    { name: "LeNet's second conv shape, smaller (5×5, SAME, stride 1)", x: [2, 14, 14, 6], w: [5, 5, 6, 5], stride: 1, pad: 'same' },
    { name: '3×3 SAME with stride 2 on an odd size', x: [2, 9, 7, 3], w: [3, 3, 3, 2], stride: 2, pad: 'same' },
    { name: '4×4 VALID with stride 3 that leaves rows over', x: [2, 12, 11, 2], w: [4, 4, 2, 3], stride: 3, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`matches tfjs-cpu's Conv2DBackpropFilter: ${c.name}`, () => {
      const x = random(c.x, 1);
      const w = random(c.w, 2);
      // A loss that weighs every output differently, so a transposed or shifted gradient cannot pass.
      const probe = tfjs.conv2d(x, w, c.stride, c.pad);
      const weights = random(probe.shape as [number, number, number, number], 3);
      const loss = (conv: (a: tfjs.Tensor4D, b: tfjs.Tensor4D) => tfjs.Tensor4D) => (a: tfjs.Tensor, b: tfjs.Tensor) =>
        tfjs.sum(tfjs.mul(conv(a as tfjs.Tensor4D, b as tfjs.Tensor4D), weights));
      const [dxRef, dwRef] = tfjs.grads(loss((a, b) => tfjs.conv2d(a, b, c.stride, c.pad)))([x, w]);
      const [dx, dw] = tfjs.grads(loss((a, b) => conv2dCustomFilterGrad(a, b, c.stride, c.pad)))([x, w]);
      expect(maxAbsDiff(conv2dCustomFilterGrad(x, w, c.stride, c.pad), probe)).toBe(0);
      expect(maxAbsDiff(dw, dwRef)).toBeLessThan(1e-4);
      expect(maxAbsDiff(dx, dxRef)).toBeLessThan(1e-4);
      expect(tfjs.max(tfjs.abs(dwRef)).dataSync()[0]).toBeGreaterThan(0.1);
    });
  }
});
