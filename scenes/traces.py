"""The traces the scenes animate: a saved file checked for the right kind, or a small seeded default.

Every default is a real Keras model recorded by :func:`rnnviz.record`, so each value a
video shows was computed by Keras's own cell (TensorFlow is imported only to build
defaults; a scene given a saved trace never imports it).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from rnnviz.errors import InputError
from rnnviz.kinds import CELL_KINDS

STEPS = 8


def load_trace(path, *, kinds=None, what: str = "this scene"):
    """``rnnviz.load(path)``, checked: the file exists, holds a ModelTrace, and its first layer is one of ``kinds``."""
    import rnnviz

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--trace: no file {str(path)!r}; expected a trace saved by rnnviz (.npz)")
    try:
        trace = rnnviz.load(path)
    except Exception as exc:  # a broken or foreign file: say which, and why
        raise InputError(f"--trace: {str(path)!r} is not an rnnviz trace ({exc})") from exc
    if not hasattr(trace, "layers"):
        raise InputError(f"--trace: {str(path)!r} holds a {type(trace).__name__}; expected a ModelTrace (rnnviz.record)")
    check_kind(trace, kinds, source=f"--trace {str(path)!r}", what=what)
    return trace


ENVIRONMENT = "RNNVIZ_TRACE"  # how ``manim scenes/<file>.py`` is given a trace file


def trace_from_environment(*, kinds=None, what: str = "this scene"):
    """The trace named by ``RNNVIZ_TRACE``, or None."""
    path = os.environ.get(ENVIRONMENT)
    return load_trace(path, kinds=kinds, what=what) if path else None


def profiles_from_environment():
    """``[the gradient profile named by RNNVIZ_TRACE]``, or None."""
    path = os.environ.get(ENVIRONMENT)
    return [load_profile(path)] if path else None


def check_kind(trace, kinds, *, source: str, what: str):
    """InputError unless the trace's first recurrent layer is one of ``kinds`` (None: any)."""
    if not trace.layers:
        raise InputError(f"{source}: the trace has no recurrent layer")
    kind = trace.layers[0].kind
    if kinds is not None and kind not in kinds:
        wanted = " or ".join(CELL_KINDS[k].title for k in kinds)
        raise InputError(f"{source}: holds a {CELL_KINDS[kind].title} trace (layer {trace.layers[0].name!r}); "
                         f"{what} needs a layer of type {wanted}")


def pulses(steps: int = STEPS, features: int = 1, seed: int = 0) -> np.ndarray:
    """A short input with something to remember: two pulses over small noise, (1, steps, features)."""
    rng = np.random.default_rng(seed)
    x = 0.2 * rng.normal(size=(1, steps, features))
    x[0, 1] += 1.5
    x[0, steps // 2 + 1] -= 1.5
    return x.astype("float32")


def default_model(make_layers, *, steps: int = STEPS, features: int = 1, seed: int = 0, scale: float = 1.0):
    """A seeded Keras model of ``make_layers()`` on ``(steps, features)`` inputs, weights times ``scale``.

    The layers are made after seeding: Keras draws each initialiser's seed when a layer is made.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((steps, features)), *make_layers()])
    # Larger weights than Keras's initialisers: the gates then open and close visibly.
    model.set_weights([w * scale for w in model.get_weights()])
    return model


def default_cell_trace(kind: str, *, units: int = 4, steps: int = STEPS, seed: int = 0):
    """One layer of ``kind`` with ``units`` units, recorded on :func:`pulses`."""
    import keras

    import rnnviz

    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU,
             "peephole_lstm": rnnviz.layers.PeepholeLSTM}[kind]
    model = default_model(lambda: [layer(units, name=kind)], steps=steps, seed=seed, scale=2.5)
    return rnnviz.record(model, pulses(steps, seed=seed))


def default_gate_trace(kind: str) -> tuple:
    """``(trace, what it shows)``: the lesson ``gates``' trained cell of ``kind`` (shipped; sample 0 writes, holds,
    overwrites and holds), or for a kind the lesson has no model of, :func:`default_cell_trace`."""
    from rnnviz.lessons.gates import LAYER_NAMES, shown_task

    models = {layer: name for name, layer in LAYER_NAMES.items()}  # kind -> the lesson's model of it
    if kind not in models:
        return default_cell_trace(kind), "untrained (weights x 2.5), on two pulses"
    from rnnviz import lessons

    return lessons.trace("gates", models[kind]), shown_task()


def default_stack_traces(*, steps: int = STEPS, seed: int = 0) -> dict:
    """For the unrolling scene: ``{"neuron": SimpleRNN(1), "layer": SimpleRNN(3), "deep": two SimpleRNN(3) stacked}``."""
    import keras

    import rnnviz

    rnn = keras.layers.SimpleRNN
    x = pulses(steps, seed=seed)
    models = {
        "neuron": default_model(lambda: [rnn(1, name="neuron")], steps=steps, seed=seed, scale=1.5),
        "layer": default_model(lambda: [rnn(3, name="layer")], steps=steps, seed=seed, scale=1.5),
        "deep": default_model(lambda: [rnn(3, return_sequences=True, name="layer_1"), rnn(3, name="layer_2")],
                              steps=steps, seed=seed, scale=1.5),
    }
    return {name: rnnviz.record(model, x) for name, model in models.items()}


def load_profile(path):
    """``rnnviz.profile.load_profile(path)``, checked: the file exists and holds a GradientProfile."""
    from rnnviz.profile import load_profile as read

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--trace: no file {str(path)!r}; expected a gradient profile saved by rnnviz (.npz)")
    try:
        return read(path)
    except Exception as exc:
        raise InputError(f"--trace: {str(path)!r} is not a gradient profile; the gradients scene needs one saved "
                         f"from rnnviz.gradient_profile(...).save(path) ({exc})") from exc
