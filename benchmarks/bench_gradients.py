"""How fast is rnnviz.gradient_profile? Prints ratios measured in one run.

    python benchmarks/bench_gradients.py [--batch N]

For an LSTM, a GRU and a SimpleRNN with 128 units and 1,000 steps (4 features):
  * full profile (||d h_T / d h_t||_F for every t) / one traced forward pass (rnnviz.record)  target <= 5
    (timed in alternation, median ratio)
  * the arithmetic floor of any exact profile on this machine, timed in the same alternation:
    the chain of units x units matrix products it cannot avoid (one per step, two for the
    LSTM, whose h and c both feed the next step), split over the cores as the profile splits
    its seeds, with nothing else; "best" = (record + floor) / record, the least profile/record
    an exact profile can reach here (it includes its own record)
  * profile time at 2,000 steps / at 1,000 steps (in the same alternation)           target <= 2.2
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


def alternated(*functions, rounds=9):
    """Each function timed once per round, in turn: (rounds, functions) seconds.

    Alternating steadies ratios on a machine whose speed drifts (as bench_record does).
    """
    import numpy as np

    for function in functions:  # warm up: tracing
        function()
    return np.array([[seconds(function) for function in functions] for _ in range(rounds)])


def product_floor(products, batch, steps=STEPS, units=UNITS):
    """The chain of matrix products every exact profile needs, and nothing else: a callable.

    ``||d h_T / d h_t||_F`` for all t needs the whole ``units x units`` adjoint
    carried back through every step: per step, the adjoint scaled unit by unit (the
    step's derivatives) times ``products`` blocks of ``units x units``, and its
    squared norm. Split into the same shares of seeds, one thread each, as the profile.
    The blocks are orthogonal, scaled so the adjoint neither overflows nor vanishes.
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import tensorflow as tf

    from rnnviz.recording.gradients import _shares

    rng = np.random.default_rng(0)
    derivatives = tf.constant(rng.uniform(0.9, 1.0, (steps, products * units)).astype("float32"))
    orthogonal = [np.linalg.qr(rng.normal(size=(units, units)))[0] / products for _ in range(products)]
    blocks = tf.constant(np.concatenate(orthogonal).astype("float32"))

    @tf.function(jit_compile=True)
    def chain(adjoint):
        norms = tf.TensorArray(tf.float32, size=steps)

        def body(k, norms, adjoint):
            norms = norms.write(k, tf.reduce_sum(tf.square(adjoint)))
            scaled = tf.concat([adjoint] * products, axis=-1) * derivatives[k]
            return k - 1, norms, tf.matmul(scaled, blocks)

        _, norms, _ = tf.while_loop(lambda k, *_: k >= 0, body, (tf.constant(steps - 1), norms, adjoint))
        return norms.stack()

    identity = np.eye(units, dtype="float32")
    shares = [tf.constant(np.tile(identity[rows], (batch, 1))) for rows in np.split(np.arange(units), _shares(units))]
    pool = ThreadPoolExecutor(len(shares))
    return lambda: sum(np.asarray(norms) for norms in pool.map(chain, shares))


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
    print("record, profile, floor, profile at 2,000 steps: medians of 9 alternated rounds"
          " (ratios: median of the rounds' ratios)\n")
    print(f"{'cell':10} {'record':>9} {'profile':>9} {'floor':>8} {'profile 2x':>11} {'brute force':>12}"
          f" {'profile/record':>15} {'best':>5} {'2x steps':>9} {'brute/profile':>14}")
    rng = np.random.default_rng(0)
    for kind in ("simple_rnn", "gru", "lstm"):
        model = build(kind, STEPS)
        x = rng.normal(size=(batch, STEPS, FEATURES)).astype("float32")
        long_model = build(kind, 2 * STEPS)
        x_long = rng.normal(size=(batch, 2 * STEPS, FEATURES)).astype("float32")
        times = alternated(
            lambda: rnnviz.record(model, x),
            lambda: rnnviz.gradient_profile(model, x),
            product_floor(products=2 if kind == "lstm" else 1, batch=batch),
            lambda: rnnviz.gradient_profile(long_model, x_long),
        )
        record, profile, floor, profile_long = np.median(times, axis=0)
        ratio = np.median(times[:, 1] / times[:, 0])
        best = np.median((times[:, 0] + times[:, 2]) / times[:, 0])
        doubling = np.median(times[:, 3] / times[:, 1])
        brute = brute_force_seconds(model, x, BRUTE_FORCE_SAMPLE) * STEPS / BRUTE_FORCE_SAMPLE
        print(
            f"{kind:10} {record * 1e3:7.0f}ms {profile * 1e3:7.0f}ms {floor * 1e3:6.0f}ms {profile_long * 1e3:9.0f}ms"
            f" {brute:10.0f}s  {ratio:14.2f} {best:5.2f} {doubling:9.2f} {brute / profile:13.0f}x"
        )
    print("\ntargets: profile/record <= 5, 2x steps <= 2.2")


if __name__ == "__main__":
    main()
