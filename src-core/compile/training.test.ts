/**
 * Whole training runs of the zoo models, with every pass on, each pass off and all off: the losses
 * and every variable (weights and optimizer slots) must agree. And a steady training step allocates
 * nothing on any backend: counted over 100 steps.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../backends';
import { createWebGpuBackendAsync } from '../../backends/webgpu';
import { OPTIMIZATION_NAMES } from './passes';
import { countingBackend, describeChoice, trainModel, type OptimizationChoice } from './test-support';

const LOSS_RTOL = 1e-4;
const WEIGHT_RTOL = 1e-3;
const WEIGHT_ATOL = 1e-5;

const everyPassOff: OptimizationChoice[] = OPTIMIZATION_NAMES.map((name) => ({ [name]: false }));

const backends = new Map<string, Backend>();
async function backendNamed(name: string): Promise<Backend> {
  let b = backends.get(name);
  if (!b) {
    b = await createBackend(name);
    backends.set(name, b);
  }
  return b;
}
afterAll(() => {
  for (const b of backends.values()) b.dispose();
});

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]);
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      throw new Error(`${what}: element ${i} is ${got[i]}, with all passes off ${want[i]} (tolerance ${tol})`);
    }
  }
}

// The seed's rate (0.5) on random pixels drives a probability to 0 within a few steps, and log(0) makes
// the loss NaN with or without passes; a smaller rate keeps every step comparable.
const CASES: { model: string; backend: string; choices: OptimizationChoice[]; steps: number; batch: number; learningRate?: number }[] = [
  { model: 'softmax', backend: 'cpu', choices: [true, ...everyPassOff], steps: 5, batch: 16, learningRate: 0.05 },
  { model: 'mlp', backend: 'cpu', choices: [true, ...everyPassOff], steps: 5, batch: 16 },
  { model: 'cnn', backend: 'cpu', choices: [true, { fusion: false }, { memoryPlan: false }], steps: 2, batch: 4 },
  { model: 'softmax', backend: 'wasm', choices: [true, ...everyPassOff], steps: 5, batch: 16, learningRate: 0.05 },
  { model: 'mlp', backend: 'wasm', choices: [true, { fusion: false }, { inPlace: false }, { memoryPlan: false }], steps: 5, batch: 16 },
  { model: 'lenet', backend: 'wasm', choices: [true, { fusion: false }], steps: 2, batch: 4 },
];

describe('training with and without each compiler pass', () => {
  for (const c of CASES) {
    it(`${c.model} on ${c.backend}: ${c.choices.map(describeChoice).join(' / ')} agree with no passes`, { timeout: 120_000 }, async () => {
      const backend = await backendNamed(c.backend);
      const baseline = await trainModel(c.model, backend, false, c);
      for (const choice of c.choices) {
        const run = await trainModel(c.model, backend, choice, c);
        const label = `${c.model} on ${c.backend} with ${describeChoice(choice)}`;
        expectClose(run.losses, baseline.losses, LOSS_RTOL, 1e-6, `${label}: losses`);
        for (const [name, want] of baseline.variables) {
          expectClose(run.variables.get(name) ?? [], want, WEIGHT_RTOL, WEIGHT_ATOL, `${label}: variable ${name}`);
        }
      }
    });
  }
});

async function webgpuOrReason(): Promise<Backend | string> {
  try {
    return await createWebGpuBackendAsync();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

describe('a steady training step allocates nothing', () => {
  const models = ['softmax', 'mlp'];
  for (const name of ['cpu', 'wasm', 'webgpu']) {
    for (const model of models) {
      it(`${model} on ${name}: no backend allocation in steps 2..100`, { timeout: 180_000 }, async (t) => {
        let inner: Backend;
        if (name === 'webgpu') {
          const got = await webgpuOrReason();
          if (typeof got === 'string') {
            t.skip(`no WebGPU adapter here: ${got}`);
            return;
          }
          inner = got;
        } else inner = await createBackend(name);
        const { backend, allocations } = countingBackend(inner);
        try {
          const first = await trainModel(model, backend, true, { steps: 1, batch: 32, keepOpen: true });
          const afterFirst = allocations();
          expect(afterFirst).toBeGreaterThan(0);
          // The same session and plan: 99 more steps through the public run().
          const more = await trainMore(first, 99);
          expect(more).toBe(99);
          expect(allocations() - afterFirst).toBe(0);
          first.session.close();
        } finally {
          inner.dispose();
        }
      });
    }
  }
});

/** Runs `steps` more training steps in an open run's session; returns how many ran. */
async function trainMore(run: Awaited<ReturnType<typeof trainModel>>, steps: number): Promise<number> {
  const { feeds, fetches } = run.replay;
  for (let i = 0; i < steps; i++) await run.session.run(fetches, { feed_dict: feeds });
  return steps;
}
