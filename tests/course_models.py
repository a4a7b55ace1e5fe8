"""Course models the unrolled diagram was found wanting on (issue 15), at test size, with seeded weights."""

from __future__ import annotations

import keras
import numpy as np

L = keras.layers


def deepspeech2(*, frames=30, features=193, units=32, layers=5, vocabulary=31):
    """keras-io's DeepSpeech2: a Conv2D front end over (time, frequency), Bidirectional GRUs, a dense head.

    Returns (model, spectrogram frames of shape (1, frames, features)).
    """
    keras.utils.set_random_seed(0)
    spectrogram = keras.Input((None, features), name="input")
    x = L.Reshape((-1, features, 1), name="expand_dim")(spectrogram)
    x = L.Conv2D(32, [11, 41], strides=[2, 2], padding="same", use_bias=False, name="conv_1")(x)
    x = L.BatchNormalization(name="conv_1_bn")(x)
    x = L.ReLU(name="conv_1_relu")(x)
    x = L.Conv2D(32, [11, 21], strides=[1, 2], padding="same", use_bias=False, name="conv_2")(x)
    x = L.BatchNormalization(name="conv_2_bn")(x)
    x = L.ReLU(name="conv_2_relu")(x)
    x = L.Reshape((-1, x.shape[-2] * x.shape[-1]), name="reshape")(x)
    for i in range(1, layers + 1):
        gru = L.GRU(units, return_sequences=True, reset_after=True, name=f"gru_{i}")
        x = L.Bidirectional(gru, merge_mode="concat", name=f"bidirectional_{i}")(x)
        if i < layers:
            x = L.Dropout(0.5, name=f"dropout_{i}")(x)
    x = L.Dense(2 * units, name="dense_1")(x)
    x = L.ReLU(name="dense_1_relu")(x)
    x = L.Dropout(0.5, name="dropout")(x)
    output = L.Dense(vocabulary + 1, activation="softmax", name="dense")(x)
    frames = np.random.default_rng(0).normal(size=(1, frames, features)).astype("float32")
    return keras.Model(spectrogram, output, name="DeepSpeech_2"), frames


def strided_conv_gru(*, steps=112, units=32):
    """Géron's Conv1D(kernel 4, stride 2) in front of a GRU: 112 input steps, 55 GRU steps.

    Returns (model, inputs of shape (2, steps, 1)).
    """
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((steps, 1)), L.Conv1D(32, kernel_size=4, strides=2, name="conv1d"),
        L.GRU(units, return_sequences=True, name="gru"), L.Dense(14, name="dense"),
    ], name="conv_gru")
    return model, np.random.default_rng(1).normal(size=(2, steps, 1)).astype("float32")
