"""Real Keras 1D convolutions, measured: which input steps change an output, and what global pooling keeps.

The convolution figures (:mod:`rnnviz.figures.convolution`) draw what these return, as NumPy.
Importing this module imports no TensorFlow; each function does, when called.
"""

from __future__ import annotations

import numpy as np

from rnnviz.errors import InputError

WEIGHT_RANGE = (0.5, 1.5)  # perturbation stacks: every tap positive, so no two paths cancel and no tap is zero
PERTURBATION = 1.0
CHANGED = 1e-4  # an output moved more than this felt the perturbed step (one path moves it >= 0.5 ** layers)


def conv1d_stack(kernel_sizes, strides, dilations, padding: str = "valid", *, seed: int = 0) -> list:
    """One-filter, linear ``Conv1D`` layers (no bias) with seeded weights drawn from :data:`WEIGHT_RANGE`.

    Linear and positive, an output changes when, and only when, a step it reads changes.
    """
    import keras

    rng = np.random.default_rng(seed)
    layers = []
    for kernel, stride, dilation in zip(kernel_sizes, strides, dilations):
        layer = keras.layers.Conv1D(1, kernel, strides=stride, dilation_rate=dilation, padding=padding,
                                    use_bias=False)
        layer.build((None, None, 1))
        layer.set_weights([rng.uniform(*WEIGHT_RANGE, size=(kernel, 1, 1)).astype("float32")])
        layers.append(layer)
    return layers


def measured_receptive_field(view, *, seed: int = 0) -> list:
    """Which positions of each row feed each output of the last layer, found by perturbing a real Keras stack.

    view: a :class:`~rnnviz.views.receptive_field.ReceptiveFieldView` (its layers' settings and row lengths).
    For each row below the last (the input first), every position is changed by :data:`PERTURBATION` in turn
    (one batch) and the stack above that row is run by Keras; returns, per row, a bool array
    ``(outputs of the last layer, positions of the row)``: True where that output changed.
    """
    import keras

    layers = conv1d_stack(view.kernel_sizes, view.strides, view.dilations, view.padding, seed=seed)
    rng = np.random.default_rng(seed)
    changed = []
    for row in range(view.layers):
        steps = view.lengths[row]
        base = rng.normal(size=(1, steps, 1)).astype("float32")
        batch = np.repeat(base, steps + 1, axis=0)
        batch[1 + np.arange(steps), np.arange(steps), 0] += PERTURBATION
        outputs = keras.ops.convert_to_numpy(_run(layers[row:], batch))[..., 0]
        if outputs.shape[1] != view.lengths[-1]:
            raise AssertionError(f"Keras made {outputs.shape[1]} outputs from row {row}; the view says "
                                 f"{view.lengths[-1]}")
        changed.append((np.abs(outputs[1:] - outputs[:1]) > CHANGED).T)
    return changed


def _run(layers, x):
    for layer in layers:
        x = layer(x)
    return x


def seeded_conv1d(filters: int = 3, kernel_size: int = 3, *, strides: int = 1, activation: str = "relu",
                  seed: int = 0):
    """A built ``Conv1D`` over one feature with Keras's default initialisation, seeded."""
    import keras

    keras.utils.set_random_seed(seed)
    layer = keras.layers.Conv1D(filters, kernel_size, strides=strides, activation=activation, name="conv1d")
    layer.build((None, None, 1))
    return layer


def forecaster_conv1d():
    """The ``Conv1D`` layer of the shipped, trained 1D-convolution forecaster (lesson ``forecasting``)."""
    from rnnviz import lessons

    return lessons.model("forecasting", "conv1d").get_layer("conv1d")


def pooled_features(conv, sequences) -> dict:
    """Run ``sequences`` through the Keras ``conv`` layer, then ``GlobalMaxPooling1D`` and ``GlobalAveragePooling1D``.

    conv: a Keras ``Conv1D`` over one feature.
    sequences: (count, steps) values.
    Returns NumPy: ``feature_maps`` (count, positions, filters), ``max`` and ``average`` (count, filters), and
    the layer's ``kernel`` (kernel_size, 1, filters), ``bias``, ``kernel_size``, ``strides``, ``activation``.
    """
    import keras

    x = np.asarray(sequences, dtype="float32")
    if x.ndim != 2:
        raise InputError(f"sequences: expected (count, steps) values, got shape {x.shape}")
    x = x[..., None]
    feature_maps = conv(x)
    config = conv.get_config()
    weights = [keras.ops.convert_to_numpy(weight) for weight in conv.weights]
    return {
        "feature_maps": keras.ops.convert_to_numpy(feature_maps),
        "max": keras.ops.convert_to_numpy(keras.layers.GlobalMaxPooling1D()(feature_maps)),
        "average": keras.ops.convert_to_numpy(keras.layers.GlobalAveragePooling1D()(feature_maps)),
        "kernel": weights[0],
        "bias": weights[1] if len(weights) > 1 else np.zeros(config["filters"], "float32"),
        "kernel_size": int(config["kernel_size"][0]),
        "strides": int(config["strides"][0]),
        "activation": str(config["activation"]),
    }
