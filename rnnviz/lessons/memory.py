"""Lesson ``memory``: SimpleRNN, LSTM and GRU on the adding problem; who still answers from far back.

The adding problem (Hochreiter & Schmidhuber 1997): a sequence of random numbers
in [0, 1], two of them marked; at the end the network must say their sum. The
first marked number lies ``distance`` steps before the end. The three cells, 32
units each, are trained on the same sequences of mixed distances.

What is measured, on held-out sequences:

- the squared error per distance (against predicting the expected sum, 1, which
  needs no memory);
- the *answer's gradient with respect to the first marked number*,
  ``∂ŷ / ∂x_first``: how much the answer moves when that number moves by 1. A
  network that carries the number to the end has 1 (the answer is a sum); one
  whose gradient has faded on the way has 0. It is exact autodiff through Keras's
  own model, and it is the gradient signal training needs from that step.
  (``‖∂h_T/∂h_t‖`` does not carry this lesson for trained models: a SimpleRNN
  trained here can have large state Jacobians that carry no usable memory.)
- backpropagation through time on a few sequences of the longest distance
  (:func:`measure_bptt`): each step's Jacobian norm, ``‖∂h_T/∂h_t‖`` and the
  answer's error signal ``‖∂ŷ/∂s_t‖`` carried back through those Jacobians.
"""

from __future__ import annotations

import numpy as np

from rnnviz.lessons.base import Claim, Lesson, keras_layer

DISTANCES = (2, 5, 10, 25, 50, 100)
MODELS = ("SimpleRNN", "LSTM", "GRU")
UNITS = 32
TRAIN_SEQUENCES, HELD_OUT_SEQUENCES = 8192, 1200
EPOCHS, BATCH, LEARNING_RATE = 30, 128, 0.005
EXPECTED_SUM = 1.0  # the mean of the sum of two U(0, 1) numbers: the best answer without memory

REMEMBERS, FORGETS = 0.5, 0.25  # ∂ŷ/∂x_first at least / at most this: follows the number / has lost it
FORGETS_FIRST = 3.0  # the SimpleRNN's error at the longest distance against the gated cells'
SIGNAL_KEPT = 0.1  # the LSTM's ‖∂ŷ/∂s‖ far back against at the last step: at least this, kept
SIGNAL_SHARE = 0.1  # the SimpleRNN's share of it against the LSTM's: at most this, faded


def adding_problem(count: int, *, distances=DISTANCES, seed: int = 0):
    """``count`` adding-problem sequences of length ``max(distances) + 1``.

    Returns ``(x, y, distance)``: ``x`` (count, length, 2) holds [number, marker],
    ``y`` the sum of the two marked numbers, ``distance`` how many steps before the
    end the first marked number lies (drawn from ``distances``).
    """
    distances = np.asarray(distances)
    if distances.ndim != 1 or distances.size == 0 or distances.min() < 1:
        raise ValueError(f"distances: expected positive step counts, got {distances.tolist()}")
    rng = np.random.default_rng(seed)
    length = int(distances.max()) + 1
    distance = rng.choice(distances, size=count)
    first = length - 1 - distance
    second = first + 1 + np.floor(rng.uniform(size=count) * distance).astype(int)  # after the first, up to the end
    x = np.zeros((count, length, 2), np.float32)
    x[..., 0] = rng.uniform(0, 1, size=(count, length))
    rows = np.arange(count)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = x[rows, first, 0] + x[rows, second, 0]
    return x, y.astype(np.float32), distance


def make_data(seed: int) -> dict:
    x, y, _ = adding_problem(TRAIN_SEQUENCES, seed=seed)
    held_out_x, held_out_y, distance = adding_problem(HELD_OUT_SEQUENCES, seed=seed + 1)
    return {"x": x, "y": y, "held_out_x": held_out_x, "held_out_y": held_out_y, "held_out_distance": distance}


def train(data: dict, seed: int, progress) -> dict:
    """The three cells, each from ``seed``, on the same sequences in the same order."""
    import keras

    models = {}
    for name in MODELS:
        progress(f"lesson memory: training the {name} ({EPOCHS} epochs)")
        keras.utils.set_random_seed(seed)
        model = keras.Sequential(
            [keras.Input(data["x"].shape[1:]), keras_layer(name)(UNITS, name=name.lower()), keras.layers.Dense(1, name="sum")],
            name=f"adding_{name.lower()}",
        )
        model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, global_clipnorm=1.0), loss="mse", jit_compile=True)
        model.fit(data["x"], data["y"], epochs=EPOCHS, batch_size=BATCH, verbose=0)
        models[name] = model
    return models


def measure(models: dict, data: dict) -> dict:
    """Per held-out sequence and model: the answer's squared error and ``∂ŷ / ∂x_first``."""
    import tensorflow as tf

    x, y, distance = data["held_out_x"], data["held_out_y"], data["held_out_distance"]
    first = x.shape[1] - 1 - distance
    rows = np.arange(len(x))
    results = {"distances": np.asarray(DISTANCES), "distance": distance}
    for name, model in models.items():
        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            answer = model(inputs, training=False)[:, 0]
            total = tf.reduce_sum(answer)  # each answer depends on its own sequence only
        gradient = tape.gradient(total, inputs).numpy()
        results[f"squared_error_{name}"] = (answer.numpy() - y) ** 2
        results[f"answer_gradient_{name}"] = gradient[rows, first, 0]
    results["squared_error_no_memory"] = (EXPECTED_SUM - y) ** 2
    results.update(measure_bptt(models, data))
    return results


BPTT_MODELS = ("SimpleRNN", "LSTM")  # the backpropagation-through-time pictures' cells


def measure_bptt(models: dict, data: dict) -> dict:
    """Backpropagation through time on every held-out sequence of the longest distance (the first is drawn).

    Per cell of :data:`BPTT_MODELS`, (sequence, step) in input time order:
    ``bptt_step_norm_<name>``, ``‖∂s_t/∂s_{t−1}‖_F`` of each step's Jacobian, ``s`` the
    whole state (``h``; the LSTM's ``(h, c)``) (:func:`rnnviz.recording.gradients.step_jacobian_norms`);
    ``bptt_product_<name>``, ``‖∂h_T/∂h_t‖_F`` (:func:`rnnviz.gradient_profile`), the
    product of those Jacobians after step t (for the LSTM its h-to-h block); and
    ``bptt_signal_<name>``, ``‖∂ŷ/∂s_t‖``, the answer's error signal carried back by them.
    ``bptt_rows``: the sequences' rows in the held-out data.
    """
    from rnnviz.recording.gradients import gradient_profile, step_jacobians

    rows = np.flatnonzero(data["held_out_distance"] == DISTANCES[-1])
    x = data["held_out_x"][rows]
    results = {"bptt_rows": rows}
    for name in BPTT_MODELS:
        model = models[name]
        jacobians = step_jacobians(model, x)
        results[f"bptt_step_norm_{name}"] = np.linalg.norm(jacobians, axis=(-2, -1))
        results[f"bptt_product_{name}"] = gradient_profile(model, x).norms
        results[f"bptt_signal_{name}"] = _error_signal(jacobians, np.asarray(model.get_layer("sum").kernel)[:, 0])
    return results


def _error_signal(jacobians: np.ndarray, readout: np.ndarray) -> np.ndarray:
    """``‖∂ŷ/∂s_t‖`` for every step: ``∂ŷ/∂s_T`` (the readout's weights on ``h``, 0 on ``c``) times the Jacobians after t."""
    batch, steps, size, _ = jacobians.shape
    signal = np.zeros((batch, size))
    signal[:, : readout.size] = readout
    norms = np.empty((batch, steps))
    for t in range(steps - 1, -1, -1):
        norms[:, t] = np.linalg.norm(signal, axis=-1)
        signal = np.einsum("bi,bij->bj", signal, jacobians[:, t])
    return norms


def per_distance(results: dict, key: str, statistic=np.median) -> np.ndarray:
    """``statistic`` of ``results[key]`` over the held-out sequences of each distance."""
    return np.array([statistic(results[key][results["distance"] == d]) for d in results["distances"]])


def _gated_cells_keep_the_gradient(results):
    far = {name: per_distance(results, f"answer_gradient_{name}")[-1] for name in MODELS}
    holds = far["LSTM"] >= REMEMBERS and far["GRU"] >= REMEMBERS and far["SimpleRNN"] <= FORGETS
    return holds, {f"{name} ∂ŷ/∂x_first at {DISTANCES[-1]} back (median)": value for name, value in far.items()}


def _simple_rnn_forgets_first(results):
    mse = {name: per_distance(results, f"squared_error_{name}", np.mean) for name in MODELS}
    holds = all(mse["SimpleRNN"][-1] >= FORGETS_FIRST * mse[name][-1] for name in ("LSTM", "GRU"))
    return holds, {f"{name} MSE at {DISTANCES[-1]} back": mse[name][-1] for name in MODELS}


def _all_learn_the_near_sum(results):
    near = {name: per_distance(results, f"answer_gradient_{name}")[0] for name in MODELS}
    return all(value >= REMEMBERS for value in near.values()), {
        f"{name} ∂ŷ/∂x_first at {DISTANCES[0]} back (median)": value for name, value in near.items()
    }


def signal_kept(results: dict, name: str) -> float:
    """The median over the measured sequences of ``‖∂ŷ/∂s_t‖`` at the first marked number against at the last step."""
    signal = results[f"bptt_signal_{name}"]
    return float(np.median(signal[:, 0] / signal[:, -1]))


def _error_signal_fades_in_the_simple_rnn(results):
    kept = {name: signal_kept(results, name) for name in BPTT_MODELS}
    return kept["LSTM"] >= SIGNAL_KEPT and kept["SimpleRNN"] <= SIGNAL_SHARE * kept["LSTM"], {
        f"{name} ‖∂ŷ/∂s‖ {DISTANCES[-1]} back / at the last step (median)": value for name, value in kept.items()}


LESSON = Lesson(
    name="memory",
    title="Who remembers far back: SimpleRNN, LSTM and GRU trained on the adding problem",
    model_names=MODELS,
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("all_learn_the_task", "Every cell learns the task where the numbers are close: its answer follows "
              f"the first marked number {DISTANCES[0]} steps back (∂ŷ/∂x_first ≥ {REMEMBERS})",
              _all_learn_the_near_sum),
        Claim("gated_cells_keep_the_gradient", f"Trained for a long memory, the LSTM's and the GRU's answers still "
              f"follow a number {DISTANCES[-1]} steps back (∂ŷ/∂x_first ≥ {REMEMBERS}); the SimpleRNN's gradient "
              f"has faded (≤ {FORGETS})", _gated_cells_keep_the_gradient),
        Claim("simple_rnn_forgets_first", f"The SimpleRNN forgets first: at {DISTANCES[-1]} steps back its error is "
              f"at least {FORGETS_FIRST:g}x the LSTM's and the GRU's", _simple_rnn_forgets_first),
        Claim("error_signal_fades_in_the_simple_rnn", f"Carried back {DISTANCES[-1]} steps through one Jacobian per "
              f"step, the answer's error signal ‖∂ŷ/∂s_t‖ keeps at least {SIGNAL_KEPT:.0%} of its size at the last "
              f"step in the LSTM, and in the SimpleRNN at most {SIGNAL_SHARE:.0%} of what the LSTM keeps (medians "
              f"over every held-out sequence whose first marked number lies {DISTANCES[-1]} steps back)",
              _error_signal_fades_in_the_simple_rnn),
    ),
    recipe=(f"{UNITS} units each, then Dense(1); {TRAIN_SEQUENCES} sequences of distances {', '.join(map(str, DISTANCES))} "
            f"mixed; Adam (learning rate {LEARNING_RATE}, global_clipnorm 1), batch {BATCH}, {EPOCHS} epochs; "
            f"measured on {HELD_OUT_SEQUENCES} new sequences"),
)
