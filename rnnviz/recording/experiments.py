"""Small Keras experiments without training: seeded untrained cells, rescaled recurrent weights, and their records.

The figures' ``from_cells`` / ``from_sweep``, the gradient explorer, the lesson
``gradients`` and the scenes' shipped defaults (``scenes/make_default_data.py``)
build their Keras models here, so no renderer builds one. Every model is made
after :func:`keras.utils.set_random_seed`: the same arguments give the same
weights. The Keras class of a cell kind is ``rnnviz.kinds.CELL_KINDS[kind].layer_class()``.

Importing this module imports no TensorFlow; each function does, when called.
"""

from __future__ import annotations

import functools

import numpy as np

from rnnviz.kinds import CELL_KINDS, cell_kind

PULSE_STEPS = 8
INPUT_NAME = "input_layer"  # Keras's first automatic name, fixed: a record must not depend on the models made before it


def untrained_cells(kinds=("simple_rnn", "lstm", "gru"), *, units: int = 32, steps=60, seed: int = 0,
                    features: int = 1) -> dict:
    """``{kind title: one-layer Keras model}``: a layer of each kind with Keras's default initialisation.

    The ``i``-th kind's model is made after seeding with ``seed + i``.

    kinds : names in :data:`rnnviz.kinds.CELL_KINDS`
    units, features : layer size, input features
    steps : int, or None for any sequence length
    """
    import keras

    models = {}
    for offset, kind in enumerate(kinds):
        keras.utils.set_random_seed(seed + offset)
        layer = cell_kind(kind).layer_class()(units)
        models[CELL_KINDS[kind].title] = keras.Sequential([keras.Input((steps, features)), layer])
    return models


def spectral_radius_sweep(*, radii, activations=("tanh", "relu"), units=32, steps=50, batch=8, input_scale=0.5,
                          seed=0) -> dict:
    """``{(activation, radius): (batch, steps back)}``: ``||d h_T / d h_t||`` of one SimpleRNN, ``W_h`` rescaled.

    A seeded random recurrent matrix scaled to spectral radius 1, then to each radius, in a
    SimpleRNN of ``units`` (no bias) per activation, profiled by
    :func:`rnnviz.gradient_profile` on ``batch`` seeded sequences ``~ N(0, input_scale²)``.
    """
    import keras

    from rnnviz.recording.gradients import gradient_profile

    rng = np.random.default_rng(seed)
    recurrent = rng.normal(size=(units, units))
    recurrent /= np.abs(np.linalg.eigvals(recurrent)).max()  # spectral radius 1
    x = (input_scale * rng.normal(size=(batch, steps, 1))).astype("float32")
    norms = {}
    for activation in activations:
        keras.utils.set_random_seed(seed)
        layer = keras.layers.SimpleRNN(units, activation=activation, use_bias=False)
        model = keras.Sequential([keras.Input((steps, 1)), layer])
        for radius in radii:
            layer.cell.recurrent_kernel.assign((radius * recurrent).astype("float32"))
            norms[activation, radius] = gradient_profile(model, x, allow_nonfinite=True).by_steps_back()
    return norms


@functools.lru_cache(maxsize=None)
def _unit_radius_cell(kind: str, units: int, seed: int):
    """A one-layer model of ``kind`` (any sequence length) and its recurrent kernel scaled to radius 1 per gate block."""
    import keras

    keras.utils.set_random_seed(seed)
    layer = cell_kind(kind).layer_class()(units)
    model = keras.Sequential([keras.Input((None, 1)), layer])
    kernel = np.asarray(layer.cell.recurrent_kernel.numpy(), dtype=np.float64)
    blocks = [kernel[:, i : i + units] for i in range(0, kernel.shape[1], units)]
    unit_radius = [block / np.abs(np.linalg.eigvals(block)).max() for block in blocks]
    return model, np.concatenate(unit_radius, axis=1).astype("float32")


def rescaled_recurrent(kind: str, radius: float, *, units: int = 32, seed: int = 0):
    """An untrained one-layer Keras model of ``kind`` whose every gate block of ``W_h`` has spectral radius ``radius``.

    One model per ``(kind, units, seed)`` is made and kept; each call rescales its
    recurrent kernel (Keras's orthogonal start, each block scaled to radius 1, times ``radius``).
    """
    model, base = _unit_radius_cell(kind, int(units), int(seed))
    model.layers[-1].cell.recurrent_kernel.assign(float(radius) * base)
    return model


def rescaled_profile(kind: str, radius: float, x, *, units: int = 32, seed: int = 0):
    """:func:`rnnviz.gradient_profile` of :func:`rescaled_recurrent` on ``x`` (non-finite norms allowed)."""
    from rnnviz.recording.gradients import gradient_profile

    return gradient_profile(rescaled_recurrent(kind, radius, units=units, seed=seed), x, allow_nonfinite=True)


# ---------------------------------------------------------------- small seeded models the scenes draw

def pulses(steps: int = PULSE_STEPS, features: int = 1, seed: int = 0) -> np.ndarray:
    """A short input with something to remember: two pulses over small noise, (1, steps, features)."""
    rng = np.random.default_rng(seed)
    x = 0.2 * rng.normal(size=(1, steps, features))
    x[0, 1] += 1.5
    x[0, steps // 2 + 1] -= 1.5
    return x.astype("float32")


def seeded_model(make_layers, *, steps: int = PULSE_STEPS, features: int = 1, seed: int = 0, scale: float = 1.0):
    """A seeded Keras model of ``make_layers()`` on ``(steps, features)`` inputs, weights times ``scale``.

    The layers are made after seeding: Keras draws each initialiser's seed when a layer is made.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((steps, features), name=INPUT_NAME), *make_layers()])
    # Larger weights than Keras's initialisers: the gates then open and close visibly.
    model.set_weights([w * scale for w in model.get_weights()])
    return model


def untrained_cell_trace(kind: str, *, units: int = 4, steps: int = PULSE_STEPS, seed: int = 0, scale: float = 2.5):
    """One untrained layer of ``kind`` (weights times ``scale``), recorded on :func:`pulses`."""
    from rnnviz.recording.record import record

    layer_class = cell_kind(kind).layer_class()
    model = seeded_model(lambda: [layer_class(units, name=kind)], steps=steps, seed=seed, scale=scale)
    return record(model, pulses(steps, seed=seed))


def untrained_stack_traces(*, steps: int = PULSE_STEPS, seed: int = 0, scale: float = 1.5) -> dict:
    """``{"neuron": SimpleRNN(1), "layer": SimpleRNN(3), "deep": two SimpleRNN(3) stacked}``, untrained, on :func:`pulses`."""
    import keras

    from rnnviz.recording.record import record

    rnn = keras.layers.SimpleRNN
    x = pulses(steps, seed=seed)
    stacks = {
        "neuron": lambda: [rnn(1, name="neuron")],
        "layer": lambda: [rnn(3, name="layer")],
        "deep": lambda: [rnn(3, return_sequences=True, name="layer_1"), rnn(3, name="layer_2")],
    }
    return {name: record(seeded_model(layers, steps=steps, seed=seed, scale=scale), x) for name, layers in stacks.items()}


ARCHITECTURES = {  # name -> caption, in lecture order
    "sequence_to_vector": "Sequence-to-vector: read a sequence, answer once (sentiment, a forecast)",
    "vector_to_sequence": "Vector-to-sequence: one input, a sequence out (captions, music)",
    "sequence_to_sequence": "Sequence-to-sequence: an output at every step (speech, prices)",
    "encoder_decoder": "Encoder–decoder: read everything, then write; the encoder's state starts the decoder",
    "bidirectional": "Bidirectional: each step sees the past and the future",
}


TRAINED_ARCHITECTURES = {"encoder_decoder": ("encoder_decoder", "LSTM")}  # name -> (lesson, model): drawn trained


def architecture_models(seed: int) -> dict:
    """name -> (an untrained Keras model of that architecture, seeded inputs for it), for the :data:`ARCHITECTURES`
    not in :data:`TRAINED_ARCHITECTURES` (those are a lesson's trained models: a hand-over of state and a decoder
    fed its own outputs need training to mean anything)."""
    import keras

    layers = keras.layers
    rng = np.random.default_rng(seed)
    sequence = rng.normal(size=(2, 12, 1)).astype("float32")
    vector = rng.normal(size=(2, 3)).astype("float32")
    builders = {  # name -> (its layers, its Keras name, its input); each built after seeding (see below)
        "sequence_to_vector": (lambda: [keras.Input((12, 1), name=INPUT_NAME), layers.SimpleRNN(8, name="rnn"),
                                        layers.Dense(1, name="output")], "seq2vec", sequence),
        "vector_to_sequence": (lambda: [keras.Input((3,), name=INPUT_NAME), layers.Dense(8, name="embed"),
                                        layers.RepeatVector(6, name="repeat"),
                                        layers.SimpleRNN(8, return_sequences=True, name="rnn"),
                                        layers.Dense(1, name="output")], "vec2seq", vector),
        "sequence_to_sequence": (lambda: [keras.Input((12, 1), name=INPUT_NAME),
                                          layers.SimpleRNN(8, return_sequences=True, name="rnn"),
                                          layers.TimeDistributed(layers.Dense(1, name="dense"), name="output")],
                                 "seq2seq", sequence),
        "bidirectional": (lambda: [keras.Input((12, 1), name=INPUT_NAME),
                                   layers.Bidirectional(layers.GRU(8, name="gru"), name="bidirectional"),
                                   layers.Dense(1, name="output")], "bidirectional", sequence),
    }
    models = {}
    for name, (make_layers, keras_name, x) in builders.items():
        keras.utils.set_random_seed(seed)  # each model's weights from the seed alone, not from the models before it
        models[name] = (keras.Sequential(make_layers(), name=keras_name), x)
    return models


def architecture_traces(seed: int) -> dict:
    """name -> the :func:`rnnviz.record` of that :func:`architecture_models` model on its seeded inputs."""
    from rnnviz.recording.record import record

    return {name: record(model, x) for name, (model, x) in architecture_models(seed).items()}
