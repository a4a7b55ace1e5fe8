"""How fast is rnnviz.gradient_profile? Prints ratios measured in one run.

    python benchmarks/bench_gradients.py [--batch N]

For an LSTM, a GRU and a SimpleRNN with 128 units and 1,000 steps (4 features):
  * full profile (||d h_T / d h_t||_F for every t) / one traced forward pass (rnnviz.record)  target <= 5
    (timed in alternation, median ratio)
  * profile time at 2,000 steps / at 1,000 steps                                        target <= 2.2
  * a brute-force loop (one GradientTape Jacobian per step t) / the profile, measured on
    2 of its steps (the first and the next to last; each costs a run over all steps) and scaled to all 1,000
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

UNITS, STEPS, FEATURES = 128, 1000, 4
BRUTE_FORCE_SAMPLE = 2


def seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def median_of(function, repeats=9):
    import numpy as np

    function()  # warm up: tracing
    return float(np.median([seconds(function) for _ in range(repeats)]))


def alternated(first, second, pairs=9):
    """Median times of ``first`` and ``second`` and the median of their ratio, timed in alternation.

    Alternating steadies the ratio on a machine whose speed drifts (as bench_record does).
    """
    import numpy as np

    first(), second()  # warm up: tracing
    times = np.array([(seconds(first), seconds(second)) for _ in range(pairs)])
    return np.median(times[:, 0]), np.median(times[:, 1]), np.median(times[:, 1] / times[:, 0])


def build(kind, steps):
    import keras

    keras.utils.set_random_seed(0)
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "simple_rnn": keras.layers.SimpleRNN}[kind]
    return keras.Sequential([keras.Input((steps, FEATURES)), layer(UNITS)])


def brute_force_seconds(model, x, count):
    """One Jacobian per t with Keras's own layer: run to t, then from t to the end under a tape."""
    import numpy as np
    import tensorflow as tf

    layer = model.layers[0]
    twin = type(layer).from_config({**layer.get_config(), "return_sequences": True, "return_state": True})
    twin.build(x.shape)
    twin.set_weights(layer.get_weights())
    start = time.perf_counter()
    for t in np.linspace(0, x.shape[1] - 2, count).astype(int):
        states = list(twin(x[:, : t + 1])[1:])
        with tf.GradientTape() as tape:
            tape.watch(states[0])
            h_last = twin(x[:, t + 1 :], initial_state=states)[1]
        tape.batch_jacobian(h_last, states[0])
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=1)
    batch = parser.parse_args().batch
    import keras
    import numpy as np
    import tensorflow as tf

    import rnnviz

    print(f"rnnviz.gradient_profile benchmark: batch {batch}, {UNITS} units, {STEPS} steps, {FEATURES} features")
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} CPUs")
    print("record and profile: medians of 9 alternated pairs (profile/record: median ratio); 2,000 steps: median of 9\n")
    print(f"{'cell':10} {'record':>9} {'profile':>9} {'profile 2x':>11} {'brute force':>12}"
          f" {'profile/record':>15} {'2x steps':>9} {'brute/profile':>14}")
    rng = np.random.default_rng(0)
    for kind in ("simple_rnn", "gru", "lstm"):
        model = build(kind, STEPS)
        x = rng.normal(size=(batch, STEPS, FEATURES)).astype("float32")
        record, profile, ratio = alternated(lambda: rnnviz.record(model, x), lambda: rnnviz.gradient_profile(model, x))
        long_model = build(kind, 2 * STEPS)
        x_long = rng.normal(size=(batch, 2 * STEPS, FEATURES)).astype("float32")
        profile_long = median_of(lambda: rnnviz.gradient_profile(long_model, x_long))
        brute = brute_force_seconds(model, x, BRUTE_FORCE_SAMPLE) * STEPS / BRUTE_FORCE_SAMPLE
        print(
            f"{kind:10} {record * 1e3:7.0f}ms {profile * 1e3:7.0f}ms {profile_long * 1e3:9.0f}ms {brute:10.0f}s "
            f" {ratio:14.2f} {profile_long / profile:9.2f} {brute / profile:13.0f}x"
        )
    print("\ntargets: profile/record <= 5, 2x steps <= 2.2")


if __name__ == "__main__":
    main()
