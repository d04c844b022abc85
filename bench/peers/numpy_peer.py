"""Bench peer: numpy on Debian's /usr/bin/python3, speaking bench/protocol.ts's JSON.

The parent picks the BLAS by LD_LIBRARY_PATH (reference BLAS or OpenBLAS, without touching the
system's alternatives); this peer reports the libblas that was actually loaded, read from
/proc/self/maps. The request's variant picks the program:

- 'numpy-openblas': numpy at its best, what a careful user writes: float32 throughout, every
  intermediate preallocated once and written with out=, weights updated in place.
- 'numpy-openblas-f64': the seed blog post's numpy program as written (float64 weights, since
  np.zeros is float64, a new W every step) and the MLP written plainly in float64; the kernel
  workloads (matmul, dispatch) are numpy-openblas's and not repeated here.
- 'numpy-reference': the plain programs on reference BLAS (the seed as the blog writes it, the MLP
  plainly in float32).

numpy has no convolution, so LeNet is skipped. The seed's second form ('seed-fetch': ours reads the
assigned W back every step) is the same numpy program: W is a host array already.
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
    step.weights = lambda: {'W': state['W']}
    return step


def fast_seed_runner(plan, images, labels, _rng):
    """The seed's update in float32 with no allocation per step but numpy's small row reductions."""
    data = batches(images, labels, plan['batch'])
    lr = np.float32(plan['learningRate'] / plan['batch'])
    W = np.zeros([PIXELS, CLASSES], np.float32)
    y = np.empty([plan['batch'], CLASSES], np.float32)
    row = np.empty([plan['batch'], 1], np.float32)
    W_grad = np.empty_like(W)
    state = {'i': 0}

    def step():
        batch_xs, batch_ys = data[state['i'] % len(data)]
        state['i'] += 1
        np.dot(batch_xs, W, out=y)
        softmax_in_place(y, row)
        np.subtract(y, batch_ys, out=y)
        np.dot(batch_xs.T, y, out=W_grad)
        np.multiply(W_grad, lr, out=W_grad)
        np.subtract(W, W_grad, out=W)
    step.weights = lambda: {'W': W}
    return step


def softmax_in_place(x, row):
    np.max(x, axis=1, keepdims=True, out=row)
    x -= row
    np.exp(x, out=x)
    np.sum(x, axis=1, keepdims=True, out=row)
    x /= row


def glorot(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def mlp_params(rng, dtype):
    return {'W1': glorot(rng, (PIXELS, 128), PIXELS, 128).astype(dtype), 'b1': np.zeros(128, dtype),
            'W2': glorot(rng, (128, CLASSES), 128, CLASSES).astype(dtype), 'b2': np.zeros(CLASSES, dtype)}


def fast_mlp_runner(plan, images, labels, rng):
    """The MLP step in float32 with every intermediate preallocated and the weights updated in place."""
    data = batches(images, labels, plan['batch'])
    batch = plan['batch']
    lr = np.float32(plan['learningRate'])
    p = mlp_params(rng, np.float32)
    W1, b1, W2, b2 = p['W1'], p['b1'], p['W2'], p['b2']
    f32 = np.float32
    pre, h, d_h = (np.empty((batch, 128), f32) for _ in range(3))
    active = np.empty((batch, 128), np.bool_)
    logits = np.empty((batch, CLASSES), f32)
    row = np.empty((batch, 1), f32)
    gW1, gb1, gW2, gb2 = np.empty_like(W1), np.empty_like(b1), np.empty_like(W2), np.empty_like(b2)
    inv_batch = f32(1 / batch)
    state = {'i': 0}

    def step():
        x, y = data[state['i'] % len(data)]
        state['i'] += 1
        np.dot(x, W1, out=pre)
        np.add(pre, b1, out=pre)
        np.maximum(pre, 0, out=h)
        np.dot(h, W2, out=logits)
        np.add(logits, b2, out=logits)
        softmax_in_place(logits, row)
        np.subtract(logits, y, out=logits)
        np.multiply(logits, inv_batch, out=logits)  # d(mean cross-entropy)/d(logits)
        np.dot(logits, W2.T, out=d_h)
        np.greater(pre, 0, out=active)
        np.multiply(d_h, active, out=d_h)
        np.dot(h.T, logits, out=gW2)
        np.sum(logits, axis=0, out=gb2)
        np.dot(x.T, d_h, out=gW1)
        np.sum(d_h, axis=0, out=gb1)
        for w, g in ((W1, gW1), (b1, gb1), (W2, gW2), (b2, gb2)):
            np.multiply(g, lr, out=g)
            np.subtract(w, g, out=w)
    step.weights = lambda: p
    return step


def mlp_runner(plan, images, labels, rng, dtype=np.float32):
    """The MLP step written plainly (a new array per expression), in float32 or numpy's default float64."""
    data = [(x.astype(dtype), y.astype(dtype)) for x, y in batches(images, labels, plan['batch'])]
    lr = dtype(plan['learningRate'])
    p = mlp_params(rng, dtype)
    state = {'i': 0}

    def step():
        x, y = data[state['i'] % len(data)]
        state['i'] += 1
        pre = x @ p['W1'] + p['b1']
        h = np.maximum(pre, 0)
        probs = softmax(h @ p['W2'] + p['b2'])
        # d(mean cross-entropy)/d(logits)
        d_logits = (probs - y) / dtype(x.shape[0])
        d_h = (d_logits @ p['W2'].T) * (pre > 0)
        grads = {'W2': h.T @ d_logits, 'b2': d_logits.sum(0), 'W1': x.T @ d_h, 'b1': d_h.sum(0)}
        for k, g in grads.items():
            p[k] -= lr * g
    step.weights = lambda: p
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


def float64_mlp_runner(plan, images, labels, rng):
    return mlp_runner(plan, images, labels, rng, np.float64)


PROGRAMS = {
    'numpy-openblas': {'seed': fast_seed_runner, 'mlp': fast_mlp_runner, 'matmul': matmul_runner, 'dispatch': dispatch_runner},
    'numpy-openblas-f64': {'seed': seed_runner, 'mlp': float64_mlp_runner},
    'numpy-reference': {'seed': seed_runner, 'mlp': mlp_runner, 'matmul': matmul_runner, 'dispatch': dispatch_runner},
}
SKIP_REASONS = {
    'lenet': 'numpy has no convolution; LeNet is not written by hand',
    'matmul': "float64 row: only the seed and MLP programs; numpy-openblas's row is the kernel's",
    'dispatch': "float64 row: only the seed and MLP programs; numpy-openblas's row is the kernel's",
}


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


def check(request):
    """The fast float32 programs against the plain float64 ones, same data and initial weights:
    the largest difference in any weight after some steps of each workload."""
    images, labels = load(request['data'])
    out = {}
    for plan in request['workloads']:
        fast, plain = PROGRAMS['numpy-openblas'][plan['kind']], PROGRAMS['numpy-openblas-f64'][plan['kind']]
        a = fast(plan, images, labels, np.random.default_rng(request['seed']))
        b = plain(plan, images, labels, np.random.default_rng(request['seed']))
        for _ in range(plan['stepsPerRepeat']):
            a()
            b()
        wa, wb = a.weights(), b.weights()
        out[plan['id']] = {'maxAbsDiff': max(float(np.max(np.abs(wa[k] - wb[k]))) for k in wa),
                           'maxAbs': max(float(np.max(np.abs(wb[k]))) for k in wb),
                           'dtypes': sorted({str(wa[k].dtype) for k in wa} | {str(wb[k].dtype) for k in wb})}
    print(json.dumps(out), flush=True)


def main():
    if sys.argv[1] == '--check':
        check(json.loads(sys.argv[2]))
        return
    request = json.loads(sys.argv[1])
    images, labels = load(request['data'])
    rng = np.random.default_rng(request['seed'])
    measurements, skipped = [], []
    variant = request['variant']
    if variant not in PROGRAMS:
        raise SystemExit(f"numpy peer: unknown variant {variant!r} (known: {', '.join(PROGRAMS)})")
    runners = PROGRAMS[variant]
    program = {'numpy-openblas': 'float32, preallocated, in place', 'numpy-openblas-f64': "the blog's float64 program",
               'numpy-reference': "the blog's program"}[variant]
    description = f"numpy {np.__version__} on Python {sys.version.split()[0]}, BLAS {loaded_blas()}, {program}"
    process_peak = peak_rss_mib()
    for plan in request['workloads']:
        process_peak = max(process_peak, peak_rss_mib())
        resettable = reset_peak_rss()
        make = runners.get(plan['kind'])
        if make is None:
            skipped.append({'id': plan['id'], 'reason': SKIP_REASONS.get(plan['kind'], f"no numpy program for {plan['kind']}")})
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
