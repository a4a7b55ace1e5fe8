"""How fast and how lean is rnnviz.record? Prints ratios measured in one run.

    python benchmarks/bench_record.py

For an LSTM and a GRU (batch 32, 500 steps, 4 features, 64 units), on the same weights:
  * record time / plain Keras forward time (a compiled ``model(x)``)   target <= 1.3
  * speed-up over the usual workaround, a Python loop calling the cell   target >= 20
and the peak memory of recording 10,000 steps against the bytes returned  target <= 2.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

BATCH, STEPS, FEATURES, UNITS = 32, 500, 4, 64
MEMORY_STEPS = 10_000


def seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_seconds(function, repeats=7):
    function()  # warm up: tracing and compiling happen here
    return statistics.median(seconds(function) for _ in range(repeats))


def alternating(first, second, repeats=31, warm_up_seconds=3.0):
    """Median times of ``first`` and ``second`` and the median of their ratio, timed in alternation.

    Both run for a few seconds first (this VM's CPUs take a moment to reach a
    steady speed); alternating makes drifts in machine load hit both alike.
    """
    deadline = time.perf_counter() + warm_up_seconds
    while time.perf_counter() < deadline:
        first(), second()
    pairs = [(seconds(first), seconds(second)) for _ in range(repeats)]
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(a / b for a, b in pairs),
    )


def build(kind, steps=STEPS):
    import keras

    keras.utils.set_random_seed(0)
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind](UNITS, return_sequences=True)
    return keras.Sequential([keras.Input((steps, FEATURES)), layer])


def python_loop(model, x):
    """The usual workaround: call the Keras cell step by step, keeping each state."""
    import keras

    cell = model.layers[0].cell
    states = [keras.ops.zeros((x.shape[0], UNITS)) for _ in range(len(cell.state_size) if isinstance(cell.state_size, (list, tuple)) else 1)]
    kept = []
    for t in range(x.shape[1]):
        output, states = cell(x[:, t], states)
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        kept.append([s.numpy() for s in states])
    return kept


def speed(kind):
    import numpy as np
    import tensorflow as tf

    import rnnviz

    model = build(kind)
    x = np.random.default_rng(0).normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    compiled_forward = tf.function(lambda inputs: model(inputs, training=False))
    first_record = seconds(lambda: rnnviz.record(model, x))
    record, forward, record_per_forward = alternating(
        lambda: rnnviz.record(model, x), lambda: compiled_forward(x).numpy()
    )
    _, predict, record_per_predict = alternating(
        lambda: rnnviz.record(model, x), lambda: model.predict(x, batch_size=BATCH, verbose=0), repeats=11
    )
    loop = median_seconds(lambda: python_loop(model, tf.constant(x)), repeats=2)
    return {
        "forward": forward,
        "predict": predict,
        "record": record,
        "first_record": first_record,
        "loop": loop,
        "record/forward": record_per_forward,
        "record/predict": record_per_predict,
    }


def memory(kind):
    """Peak resident memory added while recording MEMORY_STEPS steps, over the bytes returned."""
    import numpy as np

    import rnnviz

    model = build(kind, steps=None)
    x = np.random.default_rng(0).normal(size=(BATCH, MEMORY_STEPS, FEATURES)).astype("float32")
    rnnviz.record(model, x[:, :50])  # compile outside the measurement
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset the peak (VmHWM) to the current resident size
    before = _status("VmRSS")
    trace = rnnviz.record(model, x)
    peak = _status("VmHWM") - before
    returned = trace.model_input.nbytes + trace.model_output.nbytes + sum(
        a.nbytes for layer in trace.layers for a in (layer.inputs, layer.mask, *layer.states.values(), *layer.gates.values())
    )
    print(f"{peak / returned:.3f} {peak} {returned}")


def _status(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(key)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        memory(sys.argv[2])
        return
    import keras
    import tensorflow as tf

    print(f"rnnviz.record benchmark: batch {BATCH}, {STEPS} steps, {FEATURES} features, {UNITS} units")
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} CPUs\n")
    print("median times: compiled model(x), model.predict(x), rnnviz.record (warm, and its first call")
    print("with tracing), the Python loop over the cell; ratios are medians of alternating runs.\n")
    print(f"{'cell':5} {'forward':>9} {'predict':>9} {'record':>9} {'1st rec':>9} {'py loop':>9}"
          f" {'record/forward':>15} {'record/predict':>15} {'loop/record':>12} {'peak/returned':>14}")
    for kind in ("lstm", "gru"):
        t = speed(kind)
        result = subprocess.run(
            [sys.executable, __file__, "--memory", kind], capture_output=True, text=True, check=True
        )
        ratio, peak, returned = result.stdout.split()
        print(
            f"{kind:5} {t['forward'] * 1e3:7.1f}ms {t['predict'] * 1e3:7.1f}ms {t['record'] * 1e3:7.1f}ms"
            f" {t['first_record'] * 1e3:7.1f}ms {t['loop'] * 1e3:7.0f}ms"
            f" {t['record/forward']:15.2f} {t['record/predict']:15.2f} {t['loop'] / t['record']:11.1f}x {float(ratio):14.2f}"
            f"   (targets: <= 1.3, >= 20x, <= 2; peak {int(peak) / 2**20:.0f} MiB for {int(returned) / 2**20:.0f} MiB returned)"
        )


if __name__ == "__main__":
    main()
