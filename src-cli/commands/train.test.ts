import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainCommand, interruptCheckpointPath } from './train';
import { UsageError } from '../usage';
import { availableBackends } from '../../backends';
import { decodeSafetensors } from '../../src-core/checkpoint/safetensors';
import { MNIST_FILE_STEMS, resolveDataDir } from '../../src-core/datasets/mnist-files';
import { tinyMnist, writeMnistDir } from '../../src-core/datasets/test-fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyflow-cli-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `tinyflow train ARGS` in-process and returns the exit code and everything it printed. */
async function train(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  const code = await trainCommand(argv);
  vi.restoreAllMocks();
  return { code, out: lines.join('\n') };
}

const jsonOf = (out: string) => JSON.parse(out) as { testAccuracy: number; savedPath?: string; steps: number; optimizer: string };

describe('tinyflow train', () => {
  it('prints one line per epoch with the mean loss and test accuracy', async () => {
    const { code, out } = await train(['--model', 'softmax', '--epochs', '2', '--batch', '200']);
    expect(code).toBe(0);
    expect(out).toMatch(/^epoch 1 · step 40 · loss \d+\.\d{4} · test accuracy 0\.\d{4}$/m);
    expect(out).toMatch(/^epoch 2 · step 80 · loss/m);
    expect(out).toMatch(/optimizer sgd, learning rate 0.5/);
  });

  it('--save writes a checkpoint and --resume continues from it: accuracy after resuming is at least as good', async () => {
    const path = join(dir, 'mlp.safetensors');
    const first = jsonOf((await train(['--model', 'mlp', '--steps', '60', '--save', path, '--json'])).out);
    expect(first.savedPath).toBe(path);
    expect(first.optimizer).toBe('adam');
    const names = [...decodeSafetensors(readFileSync(path), path).tensors.keys()];
    expect(names).toEqual(expect.arrayContaining(['fc1/weight', 'fc1/weight/Adam', 'fc1/weight/Adam_1', 'beta1_power', 'fc2/bias']));
    // Resuming with no further steps reproduces the saved model exactly.
    const same = jsonOf((await train(['--model', 'mlp', '--steps', '0', '--resume', path, '--json'])).out);
    expect(same.testAccuracy).toBe(first.testAccuracy);
    const resumed = jsonOf((await train(['--model', 'mlp', '--steps', '60', '--resume', path, '--data', dirOfBundled(), '--json'])).out);
    expect(resumed.testAccuracy).toBeGreaterThanOrEqual(first.testAccuracy);
    const fresh = jsonOf((await train(['--model', 'mlp', '--steps', '60', '--json'])).out);
    expect(fresh.testAccuracy).toBe(first.testAccuracy);
  });

  it('trains with another optimizer than the model default', async () => {
    const { code, out } = await train(['--model', 'softmax', '--steps', '50', '--optimizer', 'momentum', '--json']);
    expect(code).toBe(0);
    expect(jsonOf(out).optimizer).toBe('momentum');
    expect(jsonOf(out).testAccuracy).toBeGreaterThan(0.8);
  });

  it('--lr 50 --batch 1 diverges: prints the message and where it broke, --save holds the last good (finite) weights, exit 1', async () => {
    const path = join(dir, 'diverged.safetensors');
    const { code, out } = await train(['--model', 'softmax', '--lr', '50', '--batch', '1', '--steps', '2000', '--backend', 'wasm', '--save', path]);
    expect(code).toBe(1);
    const m = /^training diverged at step (\d+) \(loss (NaN|-?Infinity)\); weights kept from step (\d+); try a learning rate below 5$/m.exec(out);
    expect(m, out).not.toBeNull();
    const [badStep, goodStep] = [Number(m?.[1]), Number(m?.[3])];
    expect(badStep).toBeGreaterThan(goodStep);
    expect(out).toMatch(/^replaying step \d+ from the weights of step \d+: the first non-finite value came from \w+ '[^']+' \[[\d,]+\]/m);
    expect(out).toMatch(new RegExp(`^test accuracy 0\\.\\d{4} with the weights kept from step ${goodStep}$`, 'm'));
    expect(out).toContain(`checkpoint saved to ${path} with the last good weights (step ${goodStep})`);
    expect(out).not.toMatch(/NaN ·|accuracy NaN/);
    const tensors = decodeSafetensors(readFileSync(path), path).tensors;
    expect(tensors.size).toBeGreaterThan(0);
    for (const [name, t] of tensors) expect([...t.data].every(Number.isFinite), name).toBe(true);
  });

  it('runs on the fastest available backend when none is named, as tf.Session() does (wasm here)', async () => {
    const { code, out } = await train(['--model', 'softmax', '--steps', '5', '--json']);
    expect(code).toBe(0);
    const fastest = (await availableBackends()).find((b) => b.available)?.name;
    expect(JSON.parse(out).backend).toBe(fastest);
    // Without a hardware GPU that is wasm, never the 12× slower cpu the command used to start on.
    expect(fastest).not.toBe('cpu');
  });

  it('refuses a learning rate of 0 or below, and other out-of-range numbers, as usage errors naming the flag', async () => {
    await expect(trainCommand(['--lr', '0'])).rejects.toThrow(UsageError);
    await expect(trainCommand(['--lr', '0'])).rejects.toThrow("--lr must be a number > 0, got '0'");
    await expect(trainCommand(['--lr=-1'])).rejects.toThrow("--lr must be a number > 0, got '-1'");
    await expect(trainCommand(['--lr', 'abc'])).rejects.toThrow("--lr must be a number > 0, got 'abc'");
    await expect(trainCommand(['--batch', '0'])).rejects.toThrow("--batch must be an integer >= 1, got '0'");
    await expect(trainCommand(['--batch', '2.5'])).rejects.toThrow("--batch must be an integer >= 1, got '2.5'");
  });

  it('rejects an unknown optimizer, conflicting data options and a missing checkpoint', async () => {
    await expect(trainCommand(['--optimizer', 'rmsprop'])).rejects.toThrow(UsageError);
    await expect(trainCommand(['--optimizer', 'rmsprop'])).rejects.toThrow(/unknown optimizer 'rmsprop'; available: sgd, momentum, adam/);
    await expect(trainCommand(['--data', '/a', '--data-dir', '/b'])).rejects.toThrow(/--data and --data-dir are the same option/);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(trainCommand(['--steps', '1', '--resume', join(dir, 'absent.safetensors')])).rejects.toThrow(/checkpoint '.*absent.safetensors' does not exist/);
  });

  it('--data-dir with an empty test split or images of another size: an error naming the file, never "test accuracy NaN"', async () => {
    writeMnistDir(dir, tinyMnist(20, 0));
    await expect(train(['--model', 'softmax', '--steps', '5', '--data-dir', dir])).rejects.toThrow(
      `get_mnist: '${join(dir, MNIST_FILE_STEMS.testImages)}' has 0 images; every split needs at least one example`,
    );
    writeMnistDir(dir, tinyMnist(20, 5, 20), { side: 20 });
    await expect(train(['--model', 'softmax', '--steps', '5', '--data-dir', dir])).rejects.toThrow(
      `get_mnist: '${join(dir, MNIST_FILE_STEMS.trainImages)}' holds 20×20 images but the model takes 28×28`,
    );
  });

  it('Ctrl-C stops after the current step, saves a checkpoint (default path without --save) and exits 130', async () => {
    const bin = fileURLToPath(new URL('../../bin/tinyflow.mjs', import.meta.url));
    const child = spawn(process.execPath, [bin, 'train', '--model', 'softmax', '--epochs', '1000', '--batch', '50'], {
      cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += String(d);
          if (/^epoch 1 /m.test(out)) resolve();
        });
        void exited.then((code) => reject(new Error(`train exited early (${code}): ${err}`)));
      });
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const saved = join(dir, interruptCheckpointPath('softmax'));
    expect(out).toMatch(/interrupted: saving a checkpoint/);
    expect(out).toContain(`checkpoint saved to ${interruptCheckpointPath('softmax')}`);
    expect(existsSync(saved)).toBe(true);
    const { tensors } = decodeSafetensors(readFileSync(saved), saved);
    expect(tensors.get('W')?.shape).toEqual([784, 10]);
  });
});

/** The directory the default data comes from, so `--data DIR` names the same data explicitly. */
function dirOfBundled(): string {
  return resolveDataDir(undefined).dir;
}
