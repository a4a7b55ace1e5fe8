"""How fast and how lean is rnnviz.record? Prints ratios measured in one run.

    python benchmarks/bench_record.py

Batch 32, 500 steps, 4 features, 64 units, on the same weights, for models shaped as
a course builds them as well as for an RNN layer alone:

  lstm, gru         the layer alone (``return_sequences=True``)
  lstm+dense        LSTM(64, return_sequences=True) -> Dense(1)
  gru+dense         GRU(64, return_sequences=True) -> Dense(1)
  stack             LSTM(64, return_sequences=True) -> GRU(64) -> Dense(1)
  bidirectional     Bidirectional(LSTM(64, return_sequences=True)) -> Dense(1)
  masked            Masking(0.0) -> LSTM(64, return_sequences=True) -> Dense(1), half the
                    samples zero-padded at the end (to 250-499 real steps)

For each model:
  * record time / plain Keras forward time, against a compiled ``model(x)`` and against
    ``model.predict_on_batch(x)``                                          target <= 1.3
and for the layer alone:
  * speed-up over the usual workaround, a Python loop calling the cell   target >= 20
  * the peak memory of recording 10,000 steps against the bytes returned  target <= 2.
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
ALONE = ("lstm", "gru")  # an RNN layer alone: also the Python loop and the memory
COURSE = ("lstm+dense", "gru+dense", "stack", "bidirectional", "masked")  # shaped as a course builds them


def seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_seconds(function, repeats=7):
    function()  # warm up: tracing and compiling happen here
    return statistics.median(seconds(function) for _ in range(repeats))


def alternating(first, *others, repeats=31, warm_up_seconds=3.0):
    """Median times of ``first`` and each of ``others``, and median ratios of ``first`` to each.

    In each round every function runs once, in turn.

    All run for a few seconds first (this VM's CPUs take a moment to reach a
    steady speed); alternating makes drifts in machine load hit all alike.
    """
    functions = (first, *others)
    deadline = time.perf_counter() + warm_up_seconds
    while time.perf_counter() < deadline:
        for function in functions:
            function()
    rounds = [[seconds(function) for function in functions] for _ in range(repeats)]
    medians = [statistics.median(round_[index] for round_ in rounds) for index in range(len(functions))]
    ratios = [statistics.median(round_[0] / round_[index] for round_ in rounds) for index in range(1, len(functions))]
    return medians, ratios


def build(name, steps=STEPS):
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    if name in ALONE:
        rnn = {"lstm": layers.LSTM, "gru": layers.GRU}[name]
        return keras.Sequential([keras.Input((steps, FEATURES)), rnn(UNITS, return_sequences=True)])
    body = {
        "lstm+dense": lambda: [layers.LSTM(UNITS, return_sequences=True), layers.Dense(1)],
        "gru+dense": lambda: [layers.GRU(UNITS, return_sequences=True), layers.Dense(1)],
        "stack": lambda: [layers.LSTM(UNITS, return_sequences=True), layers.GRU(UNITS), layers.Dense(1)],
        "bidirectional": lambda: [layers.Bidirectional(layers.LSTM(UNITS, return_sequences=True)), layers.Dense(1)],
        "masked": lambda: [layers.Masking(0.0), layers.LSTM(UNITS, return_sequences=True), layers.Dense(1)],
    }[name]()
    return keras.Sequential([keras.Input((steps, FEATURES)), *body])


def inputs(name, steps=STEPS):
    """The batch for model ``name``; for "masked", half the samples zero-padded at the end."""
    import numpy as np

    x = np.random.default_rng(0).normal(size=(BATCH, steps, FEATURES)).astype("float32")
    if name == "masked":
        lengths = np.full(BATCH, steps)
        lengths[BATCH // 2 :] = np.random.default_rng(1).integers(steps // 2, steps, size=BATCH - BATCH // 2)
        x[np.arange(steps)[None, :] >= lengths[:, None]] = 0.0
    return x


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


def speed(name):
    import tensorflow as tf

    import rnnviz

    model = build(name)
    x = inputs(name)
    compiled_forward = tf.function(lambda batch: model(batch, training=False))
    first_record = seconds(lambda: rnnviz.record(model, x))
    (record, forward, predict), (record_per_forward, record_per_predict) = alternating(
        lambda: rnnviz.record(model, x),
        lambda: compiled_forward(x).numpy(),
        lambda: model.predict_on_batch(x),
    )
    loop = median_seconds(lambda: python_loop(model, tf.constant(x)), repeats=2) if name in ALONE else None
    return {
        "forward": forward,
        "predict": predict,
        "record": record,
        "first_record": first_record,
        "loop": loop,
        "record/forward": record_per_forward,
        "record/predict": record_per_predict,
    }


def memory(name):
    """Peak resident memory added while recording MEMORY_STEPS steps, over the bytes returned."""
    import rnnviz
    from rnnviz.recording.scan import CHUNK_BYTES

    model = build(name, steps=None)
    x = inputs(name, steps=MEMORY_STEPS)
    # Compile outside the measurement: long recordings run in chunks of steps, and the
    # XLA-compiled loop (GRU) compiles once per chunk length, so record each length first.
    small = rnnviz.record(model, x[:, :50]).layers[0]
    chunk = max(1, CHUNK_BYTES // (BATCH * (len(small.states) + len(small.gates)) * UNITS * 4))
    for length in sorted({min(chunk, MEMORY_STEPS), MEMORY_STEPS % chunk} - {0}):
        rnnviz.record(model, x[:, :length])
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

    names = sys.argv[1:] or [*ALONE, *COURSE]  # or some of them, by name
    print(f"rnnviz.record benchmark: batch {BATCH}, {STEPS} steps, {FEATURES} features, {UNITS} units")
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} CPUs\n")
    print("median times: compiled model(x), model.predict_on_batch(x), rnnviz.record (warm, and its first")
    print("call with tracing), the Python loop over the cell (layer alone); ratios are medians of")
    print("alternated runs (record, compiled call, predict_on_batch in each round).\n")
    print(f"{'model':13} {'forward':>9} {'predict':>9} {'record':>9} {'1st rec':>9} {'py loop':>9}"
          f" {'record/forward':>15} {'record/predict':>15} {'loop/record':>12} {'peak/returned':>14}")
    worst = 0.0
    for name in names:
        t = speed(name)
        worst = max(worst, t["record/forward"], t["record/predict"])
        row = (
            f"{name:13} {t['forward'] * 1e3:7.1f}ms {t['predict'] * 1e3:7.1f}ms {t['record'] * 1e3:7.1f}ms"
            f" {t['first_record'] * 1e3:7.1f}ms"
        )
        if name in ALONE:
            result = subprocess.run(
                [sys.executable, __file__, "--memory", name], capture_output=True, text=True, check=True
            )
            ratio, peak, returned = result.stdout.split()
            print(
                f"{row} {t['loop'] * 1e3:7.0f}ms {t['record/forward']:15.2f} {t['record/predict']:15.2f}"
                f" {t['loop'] / t['record']:11.1f}x {float(ratio):14.2f}"
                f"   (targets: <= 1.3, >= 20x, <= 2; peak {int(peak) / 2**20:.0f} MiB for {int(returned) / 2**20:.0f} MiB returned)"
            )
        else:
            print(f"{row} {'-':>9} {t['record/forward']:15.2f} {t['record/predict']:15.2f} {'-':>12} {'-':>14}   (target: <= 1.3)")
    print(f"\nlargest record/forward or record/predict: {worst:.2f} (target: <= 1.3 on every model)")


if __name__ == "__main__":
    main()
