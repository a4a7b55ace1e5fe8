"""Lesson ``gates``: an LSTM, a peephole LSTM and a GRU that must keep the last marked number; their gates do it.

The task: a sequence of random numbers in [−1, 1], one to three of them marked;
at the end the network must say the *last* marked number. To solve it a cell has
to *write* a number when a marker comes, *erase* the number it held before (a
later marker), *keep out* the unmarked numbers, and *hold* what it wrote to the
end: exactly what the gates are for.

Each model is one cell of one unit, and its state at the last step *is* the
answer (the LSTM's cell state ``c``, the GRU's ``h``; no layer after it): the
number must sit in the state as it is. So the gates cannot hide behind a scale
a readout would undo (an input gate half open writing half the number), nor
trade roles (a sigmoid input gate cannot carry a number's sign; the tanh
candidate must): one unit, one number, in plain sight.

What is measured, on held-out sequences recorded by :func:`rnnviz.record` (the
gates Keras's own cells computed):

- the answer's error against guessing the mean (0), which needs no memory;
- the *memory unit*: the unit whose state follows the answer best from the
  last marker to the end (with one unit, that unit);
- that unit's gates at three kinds of step: *marked* steps, *later marked*
  steps (a marker after the first: the old number must go) and *unmarked steps
  after the first marker* (the number must stay). The GRU's update gate ``z``
  reads the Keras way, ``h = z·h_prev + (1 − z)·h̃``: ``z ≈ 0`` writes, ``z ≈ 1``
  holds.

Sample 0 of the held-out data is the showcase the pictures draw: markers at
:data:`SHOWCASE_MARKS`, so it writes, holds, overwrites and holds again.
"""

from __future__ import annotations

import numpy as np

from rnnviz.errors import InputError
from rnnviz.lessons.base import Claim, Lesson, keras_layer

MODELS = ("LSTM", "PeepholeLSTM", "GRU")
LSTMS = ("LSTM", "PeepholeLSTM")  # the models with input and forget gates
STEPS, UNITS = 30, 1
MAX_MARKS = 3  # one to this many markers, at steps 0 .. STEPS - 3 (so at least two steps follow the last)
SHOWCASE_MARKS = (2, 6)  # write, hold, overwrite, hold: within the first 10 steps a video shows
TRAIN_SEQUENCES, HELD_OUT_SEQUENCES = 8192, 1000
EPOCHS, BATCH, LEARNING_RATE = 60, 64, 0.01
RESTARTS = 2  # initialisations per model; the one with the lowest final training loss is kept
START_FORGET_BIAS, START_INPUT_BIAS = 3.0, -2.0  # an LSTM starts as a memory: holding (σ(3) ≈ 0.95), inputs kept out
INPUT_NAMES = ("number", "marker")  # the two input features, as pictures name them
GUESS = 0.0  # the mean of a U(−1, 1) number: the best answer without memory

LEARNS = 0.1  # MSE at most this fraction of guessing's
OPENS, SHUT, HOLDS = 0.75, 0.25, 0.9  # a gate at least / at most this: open to write / shut / holding


def shown_task() -> str:
    """What the pictures of this lesson say it is (the sequence they draw: held-out sample 0)."""
    return f"trained to say the last marked number (markers at steps {' and '.join(map(str, SHOWCASE_MARKS))})"


def marked_numbers(count: int, *, steps: int | None = None, seed: int = 0, showcase: bool = False):
    """``count`` sequences of ``steps`` numbers in [−1, 1], one to :data:`MAX_MARKS` of them marked.

    Returns ``(x, y, marks)``: ``x`` (count, steps, 2) holds [number, marker], ``y``
    the last marked number, ``marks`` (count, steps) True at the marked steps. With
    ``showcase`` the first sequence's markers are at :data:`SHOWCASE_MARKS`.
    """
    steps = STEPS if steps is None else steps
    rng = np.random.default_rng(seed)
    x = np.zeros((count, steps, 2), np.float32)
    x[..., 0] = rng.uniform(-1, 1, size=(count, steps))
    marks = np.zeros((count, steps), bool)
    for row, how_many in enumerate(rng.integers(1, MAX_MARKS + 1, size=count)):
        marks[row, rng.choice(steps - 2, size=how_many, replace=False)] = True
    if showcase:
        marks[0] = False
        marks[0, list(SHOWCASE_MARKS)] = True
    x[..., 1] = marks
    last = steps - 1 - np.argmax(marks[:, ::-1], axis=1)
    return x, x[np.arange(count), last, 0].copy(), marks


def make_data(seed: int) -> dict:
    x, y, _ = marked_numbers(TRAIN_SEQUENCES, seed=seed)
    held_out_x, held_out_y, marks = marked_numbers(HELD_OUT_SEQUENCES, seed=seed + 1, showcase=True)
    return {"x": x, "y": y, "held_out_x": held_out_x, "held_out_y": held_out_y, "held_out_marks": marks}


LAYER_NAMES = {"LSTM": "lstm", "PeepholeLSTM": "peephole_lstm", "GRU": "gru"}


def build(name: str, steps: int | None = None):
    """The untrained model ``name``: one cell of that kind whose state is the answer.

    No layer after it: the answer is the LSTM's cell state ``c`` (the GRU's ``h``) at the
    last step, so the number must be in the state as it is, not up to a scale a readout
    could undo. Writing a number x exactly then needs the input gate open (``c = i·g``,
    ``|g| < 1``), and keeping it needs the forget gate near 1. An LSTM starts as a memory
    that holds and keeps inputs out (forget bias :data:`START_FORGET_BIAS`, input bias
    :data:`START_INPUT_BIAS`); training teaches it when to write and when to erase.
    """
    import keras

    if name not in MODELS:
        raise InputError(f"name: expected one of {', '.join(MODELS)}, got {name!r}")
    steps = STEPS if steps is None else steps
    inputs = keras.Input((steps, 2), name="numbers_and_markers")
    if name == "GRU":
        answer = keras_layer(name)(UNITS, name=LAYER_NAMES[name])(inputs)
    else:
        layer = keras_layer(name)(UNITS, return_state=True, name=LAYER_NAMES[name])
        _, _, answer = layer(inputs)  # (output, h, c): the answer is c
        bias = keras.ops.convert_to_numpy(layer.cell.bias).copy()  # gates in the order input, forget, candidate, output
        bias[:UNITS], bias[UNITS:2 * UNITS] = START_INPUT_BIAS, START_FORGET_BIAS
        layer.cell.bias.assign(bias)
    return keras.Model(inputs, answer, name=f"last_marked_{LAYER_NAMES[name]}")


def train(data: dict, seed: int, progress) -> dict:
    """Each model from ``seed``: :data:`RESTARTS` initialisations trained alike, the lowest final training loss kept
    (a one-unit cell can get stuck where it never learns to use the marker)."""
    import keras

    models = {}
    for name in MODELS:
        keras.utils.set_random_seed(seed)
        runs = []
        for restart in range(1, RESTARTS + 1):
            progress(f"lesson gates: training the {name}, start {restart} of {RESTARTS} ({EPOCHS} epochs)")
            model = build(name)
            model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, global_clipnorm=1.0), loss="mse",
                          jit_compile=True)
            history = model.fit(data["x"], data["y"], epochs=EPOCHS, batch_size=BATCH, verbose=0)
            runs.append((history.history["loss"][-1], restart, model))
        models[name] = min(runs, key=lambda run: run[:2])[2]
    return models


def record(model, data: dict):
    """The held-out inputs recorded through ``model`` (:func:`rnnviz.record`)."""
    import rnnviz

    return rnnviz.record(model, data["held_out_x"])


def measure(models: dict, data: dict) -> dict:
    """Per model: squared errors, the memory unit, and every gate of its layer, as recorded."""
    y = data["held_out_y"]
    results = {"marks": data["held_out_marks"], "squared_error_guess": (GUESS - y) ** 2}
    for name, model in models.items():
        trace = record(model, data)
        layer = trace.layers[0]
        results[f"squared_error_{name}"] = (trace.model_output[:, 0] - y) ** 2
        correlation = keeping(layer.states["c" if "c" in layer.states else "h"], y, results["marks"])
        results[f"memory_unit_{name}"] = np.int64(np.argmax(correlation))
        results[f"memory_correlation_{name}"] = correlation
        for gate, values in layer.gates.items():
            results[f"{gate}_{name}"] = values
    return results


SHOWCASE_SEQUENCES = 8


def showcase(models: dict, data: dict) -> dict:
    """The first :data:`SHOWCASE_SEQUENCES` held-out sequences recorded through each model (sample 0: markers at
    :data:`SHOWCASE_MARKS`)."""
    import rnnviz

    return {name: rnnviz.record(model, data["held_out_x"][:SHOWCASE_SEQUENCES]) for name, model in models.items()}


def from_last_marker(marks: np.ndarray) -> np.ndarray:
    """True at the last marked step of each sequence and every step after it (every marker seen)."""
    seen = np.cumsum(marks, axis=1)
    return (seen == seen[:, -1:]) & (seen > 0)


def keeping(states: np.ndarray, answer: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """Per unit: how well its state follows the answer from the last marker to the end (|correlation| over every
    such step of every sequence). The unit that keeps the number scores highest."""
    kept = from_last_marker(marks)
    follows = np.broadcast_to(answer[:, None], marks.shape)[kept]
    return np.array([abs(np.corrcoef(states[..., unit][kept], follows)[0, 1]) for unit in range(states.shape[-1])])


def step_kinds(marks: np.ndarray) -> dict:
    """Boolean masks (sequences, steps): ``marked``, ``later_marked`` (a marker after the first) and
    ``between`` (unmarked steps after the first marker)."""
    seen = np.cumsum(marks, axis=1)
    return {"marked": marks, "later_marked": marks & (seen > 1), "between": ~marks & (seen > 0)}


def gate_at(results: dict, model: str, gate: str, kind: str, sequences=slice(None)) -> float:
    """The memory unit's ``gate`` at steps of ``kind`` (see :func:`step_kinds`): median over ``sequences`` of
    each sequence's mean (sequences without such a step left out)."""
    values = results[f"{gate}_{model}"][sequences, :, int(results[f"memory_unit_{model}"])]
    where = step_kinds(results["marks"][sequences])[kind]
    has = where.any(axis=1)
    return float(np.median((values * where).sum(axis=1)[has] / where.sum(axis=1)[has]))


def _all_learn(results):
    guess = results["squared_error_guess"].mean()
    mse = {name: results[f"squared_error_{name}"].mean() for name in MODELS}
    return all(value <= LEARNS * guess for value in mse.values()), {
        **{f"{name} MSE": value for name, value in mse.items()}, "guessing's MSE": guess}


def _lstm_input_gates_write(results):
    numbers, holds = {}, True
    for name in LSTMS:
        opens, shut = gate_at(results, name, "input", "marked"), gate_at(results, name, "input", "between")
        holds &= opens >= OPENS and shut <= SHUT
        numbers |= {f"{name} memory unit": results[f"memory_unit_{name}"], f"{name} input gate at marked steps": opens,
                    f"{name} between them": shut}
    return holds, numbers


def _lstm_forget_gates_erase_and_hold(results):
    numbers, holds = {}, True
    for name in LSTMS:
        erases = gate_at(results, name, "forget", "later_marked")
        keeps = gate_at(results, name, "forget", "between")
        holds &= erases <= SHUT and keeps >= HOLDS
        numbers |= {f"{name} memory unit": results[f"memory_unit_{name}"],
                    f"{name} forget gate at a later marker": erases, f"{name} between markers": keeps}
    return holds, numbers


def _gru_update_gate_writes_and_holds(results):
    writes, holds = gate_at(results, "GRU", "update", "marked"), gate_at(results, "GRU", "update", "between")
    return writes <= SHUT and holds >= HOLDS, {"memory unit": results["memory_unit_GRU"],
                                               "update gate z at marked steps": writes, "between them": holds}


def _shown_sequence(results):
    """Every gate claim again, on held-out sequence 0 alone: the one the pictures draw."""
    shown, numbers, holds = slice(0, 1), {}, True
    for name in LSTMS:
        opens, shut = (gate_at(results, name, "input", kind, shown) for kind in ("marked", "between"))
        erases, keeps = (gate_at(results, name, "forget", kind, shown) for kind in ("later_marked", "between"))
        holds &= opens >= OPENS and shut <= SHUT and erases <= SHUT and keeps >= HOLDS
        numbers |= {f"{name} input at markers": opens, f"{name} input between": shut,
                    f"{name} forget at the new marker": erases, f"{name} forget between": keeps}
    writes, keeps = (gate_at(results, "GRU", "update", kind, shown) for kind in ("marked", "between"))
    holds &= writes <= SHUT and keeps >= HOLDS
    return holds, numbers | {"GRU z at markers": writes, "GRU z between": keeps}


LESSON = Lesson(
    name="gates",
    title="The gates at work: an LSTM, a peephole LSTM and a GRU keeping the last marked number",
    model_names=MODELS,
    make_data=make_data,
    train=train,
    measure=measure,
    claims=(
        Claim("all_learn_the_task", f"All three cells learn to say the last marked number (MSE ≤ {LEARNS:g}x guessing "
              f"{GUESS:g})", _all_learn),
        Claim("lstm_input_gate_writes", f"In the unit that keeps the number, the input gate of the LSTM and of the "
              f"peephole LSTM opens at a marker (≥ {OPENS:g}) and is shut between markers (≤ {SHUT:g})",
              _lstm_input_gates_write),
        Claim("lstm_forget_gate_erases_and_holds", f"The forget gate of the LSTM and of the peephole LSTM erases the "
              f"old number at a new marker (≤ {SHUT:g}) and holds the number between markers (≥ {HOLDS:g})",
              _lstm_forget_gates_erase_and_hold),
        Claim("gru_update_gate_writes_and_holds", f"The GRU's update gate z lets a marked number in (z ≤ {SHUT:g}) "
              f"and holds it between markers (z ≥ {HOLDS:g})", _gru_update_gate_writes_and_holds),
        Claim("the_shown_sequence_shows_it", f"The sequence the pictures show (markers at steps "
              f"{' and '.join(map(str, SHOWCASE_MARKS))}) shows all of it: input gates open and forget gates shut at "
              "its markers, holding between; the GRU's z low at its markers, high between", _shown_sequence),
    ),
    recipe=(f"one cell of {UNITS} unit each, its last state the answer (the LSTMs' c, the GRU's h); "
            f"{TRAIN_SEQUENCES} sequences of {STEPS} numbers in [−1, 1], 1 to {MAX_MARKS} marked; "
            f"the LSTMs start holding (forget bias {START_FORGET_BIAS:g}, input bias {START_INPUT_BIAS:g}); "
            f"Adam (learning rate {LEARNING_RATE}, global_clipnorm 1), batch {BATCH}, {EPOCHS} epochs, the best of "
            f"{RESTARTS} starts by training loss; "
            f"measured on {HELD_OUT_SEQUENCES} new sequences"),
    showcase=showcase,
)
