"""Bench peer: numpy on Debian's /usr/bin/python3, speaking bench/protocol.ts's JSON.

The parent picks the BLAS by LD_LIBRARY_PATH (reference BLAS or OpenBLAS, without touching the
system's alternatives); this peer reports the libblas that was actually loaded, read from
/proc/self/maps. The seed is the seed blog post's numpy program as written (float64 weights, since
np.zeros is float64, and the summed gradient with learning_rate 0.5 / 100); the MLP's backward pass
is written by hand in float32; numpy has no convolution, so LeNet is skipped.
"""
import json
import resource
import sys
import time


def status_kib(field):
    """A VmRSS / VmHWM line of /proc/self/status in KiB, or None off Linux."""
    try:
        for line in open('/proc/self/status'):
            if line.startswith(field + ':'):
                return int(line.split()[1])
    except OSError:
        pass
    return None


# Before numpy loads, as the TypeScript peers read theirs before their library (peers/memory.ts).
START_RSS_KIB = status_kib('VmRSS')

import numpy as np  # noqa: E402

PIXELS, CLASSES = 784, 10


def loaded_blas():
    libs = sorted({line.split()[-1] for line in open('/proc/self/maps') if 'blas' in line.split()[-1]})
    blas = [l for l in libs if '/libblas.so' in l] or libs
    return blas[0] if blas else 'unknown'


def load(data):
    raw = np.fromfile(data['path'], dtype='<f4')
    n = data['examples']
    return raw[: n * PIXELS].reshape(n, PIXELS), raw[n * PIXELS:].reshape(n, CLASSES)


def batches(images, labels, size):
    count = images.shape[0] // size
    return [(images[b * size:(b + 1) * size].copy(), labels[b * size:(b + 1) * size].copy()) for b in range(count)]


def softmax(x):
    x = x - np.max(x, axis=1, keepdims=True)
    x = np.exp(x)
    x = x / np.sum(x, axis=1, keepdims=True)
    return x


def seed_runner(plan, images, labels, _rng):
    data = batches(images, labels, plan['batch'])
    learning_rate = plan['learningRate'] / plan['batch']
    state = {'W': np.zeros([784, 10]), 'i': 0}

    def step():
        batch_xs, batch_ys = data[state['i'] % len(data)]
        state['i'] += 1
        W = state['W']
        # forward
        y = softmax(np.dot(batch_xs, W))
        # backward
        y_grad = y - batch_ys
        W_grad = np.dot(batch_xs.T, y_grad)
        # update
        state['W'] = W - learning_rate * W_grad
    return step


def glorot(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def mlp_runner(plan, images, labels, rng):
    data = batches(images, labels, plan['batch'])
    lr = np.float32(plan['learningRate'])
    p = {'W1': glorot(rng, (PIXELS, 128), PIXELS, 128), 'b1': np.zeros(128, np.float32),
         'W2': glorot(rng, (128, CLASSES), 128, CLASSES), 'b2': np.zeros(CLASSES, np.float32)}
    state = {'i': 0}

    def step():
        x, y = data[state['i'] % len(data)]
        state['i'] += 1
        pre = x @ p['W1'] + p['b1']
        h = np.maximum(pre, 0)
        probs = softmax(h @ p['W2'] + p['b2'])
        # d(mean cross-entropy)/d(logits)
        d_logits = (probs - y) / np.float32(x.shape[0])
        d_h = (d_logits @ p['W2'].T) * (pre > 0)
        grads = {'W2': h.T @ d_logits, 'b2': d_logits.sum(0), 'W1': x.T @ d_h, 'b1': d_h.sum(0)}
        for k, g in grads.items():
            p[k] -= lr * g
    return step


def matmul_runner(plan, _images, _labels, rng):
    n = plan['n']
    a = (rng.random((n, n), dtype=np.float32) - 0.5)
    b = (rng.random((n, n), dtype=np.float32) - 0.5)
    out = np.empty((n, n), np.float32)
    return lambda: np.matmul(a, b, out=out)


def dispatch_runner(plan, _images, _labels, _rng):
    """One tiny add per step: numpy's per-call overhead. The result is on the host already, so
    the readback variant ('dispatch+read') costs the same."""
    n = plan['n']
    a = np.arange(n, dtype=np.float32)
    b = np.arange(n, 0, -1, dtype=np.float32)
    out = np.empty(n, np.float32)
    return lambda: np.add(a, b, out=out)


RUNNERS = {'seed': seed_runner, 'mlp': mlp_runner, 'matmul': matmul_runner, 'dispatch': dispatch_runner}


def reset_peak_rss():
    """Resets the high-water mark so each workload gets its own peak (Linux 4.0+), as peers/memory.ts does."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def peak_rss_mib():
    hwm = status_kib('VmHWM')
    return (hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024  # KiB on Linux


def time_steps(step, count):
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        step()
    return (time.perf_counter() - wall) * 1000 / count, (time.process_time() - cpu) * 1000 / count


def measure(plan, step):
    """The same procedure as bench/peers/harness.ts's measure(), budget included."""
    base = {'id': plan['id'], 'repeats': 1, 'stepsPerRepeat': 1}
    first, first_cpu = time_steps(step, 1)
    if first > plan['budgetMs']:
        note = f"one step only: the first took {first / 1000:.1f} s, over the {plan['budgetMs'] / 1000:g} s budget"
        return {**base, 'medianMs': first, 'minMs': first, 'maxMs': first, 'cpuMedianMs': first_cpu, 'note': note}
    warmup = max(0, plan['warmupSteps'] - 1)
    step_ms = time_steps(step, warmup)[0] if warmup > 0 else first
    fits = max(1, int(plan['budgetMs'] // (plan['repeats'] * step_ms)))
    steps = min(plan['stepsPerRepeat'], fits)
    samples = [time_steps(step, steps) for _ in range(plan['repeats'])]
    wall = [s[0] for s in samples]
    out = {**base, 'medianMs': float(np.median(wall)), 'minMs': min(wall), 'maxMs': max(wall),
           'cpuMedianMs': float(np.median([s[1] for s in samples])), 'repeats': plan['repeats'], 'stepsPerRepeat': steps}
    if steps < plan['stepsPerRepeat']:
        out['note'] = f"{steps} of {plan['stepsPerRepeat']} steps per repetition, to fit the budget"
    return out


def main():
    request = json.loads(sys.argv[1])
    images, labels = load(request['data'])
    rng = np.random.default_rng(request['seed'])
    measurements, skipped = [], []
    description = f"numpy {np.__version__} on Python {sys.version.split()[0]}, BLAS {loaded_blas()}"
    process_peak = peak_rss_mib()
    for plan in request['workloads']:
        process_peak = max(process_peak, peak_rss_mib())
        resettable = reset_peak_rss()
        make = RUNNERS.get(plan['kind'])
        if make is None:
            skipped.append({'id': plan['id'], 'reason': 'numpy has no convolution; LeNet is not written by hand'})
        else:
            m = measure(plan, make(plan, images, labels, rng))
            peak = peak_rss_mib()
            process_peak = max(process_peak, peak)
            if resettable:
                m['peakRssMiB'] = peak
            measurements.append(m)
        # Everything so far after each workload, as the TypeScript peers reply (see protocol.ts).
        out = {'description': description, 'measurements': measurements, 'skipped': skipped, 'peakRssMiB': process_peak}
        if START_RSS_KIB is not None:
            out['startRssMiB'] = START_RSS_KIB / 1024
        print(json.dumps(out), flush=True)

main()
