"""``gradient_profile(..., loss=, y=)``: dL/dh_t against autodiff through Keras's own cells, at every layer position."""

import keras
import numpy as np
import pytest

import rnnviz
from tests.models import CONFIGURATIONS, build, randomise, sequences, sequential
from tests.perturbed import autodiff_loss_gradients

L = keras.layers


def targets(model, x, seed=3):
    output = model(x, training=False)
    output = output[0] if isinstance(output, (list, tuple)) else output
    return np.random.default_rng(seed).normal(size=tuple(output.shape)).astype("float32")


def check_every_layer(model, x, loss="mse"):
    """Compare ``loss_gradients`` with autodiff for every recurrent layer (and direction) of ``model``."""
    y = targets(model, x)
    for layer_trace in rnnviz.record(model, x).layers:
        profile = rnnviz.gradient_profile(model, x, layer=layer_trace.name, loss=loss, y=y)
        expected = autodiff_loss_gradients(model, x, layer_trace, loss, y)
        assert np.abs(expected).max() > 0, f"{layer_trace.name}: the loss does not reach this layer"
        np.testing.assert_allclose(
            profile.loss_gradients, expected, rtol=1e-4, atol=1e-6 * np.abs(expected).max(), err_msg=layer_trace.name
        )


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_every_layer_of_the_parity_suite(name):
    model, x = build(name)
    check_every_layer(model, x)


def test_readme_quick_start():
    """The README's own example: the LSTM feeds a GRU, whose gradient used to come back as zeros."""
    model = randomise(
        keras.Sequential([
            keras.Input((50, 1)),
            L.LSTM(16, return_sequences=True, name="lstm"),
            L.GRU(8, name="gru"),
            L.Dense(1),
        ])
    )
    x = np.random.default_rng(0).normal(size=(4, 50, 1)).astype("float32")
    check_every_layer(model, x)


def test_bidirectional_stack_and_mae():
    """Two Bidirectional layers in a row, as in the IMDB example, with another loss."""
    model = randomise(sequential(
        L.Bidirectional(L.LSTM(4, return_sequences=True), name="first"),
        L.Bidirectional(L.GRU(3), name="second"),
        L.Dense(2),
    ))
    check_every_layer(model, sequences(), loss="mae")


def test_padding_steps_get_no_gradient():
    """Post-padded token ids: Keras skips the padding steps, so dL/dh is zero there, not the last real step's."""
    model = randomise(sequential(
        L.Embedding(20, 4, mask_zero=True), L.LSTM(5), L.Dense(1), input_shape=(9,), dtype="int32",
    ))
    ids = np.random.default_rng(2).integers(1, 20, size=(3, 9))
    ids[0, -4:] = 0
    profile = rnnviz.gradient_profile(model, ids, loss="mse", y=np.ones((3, 1), "float32"))
    np.testing.assert_array_equal(profile.loss_gradients[0, -4:], 0.0)
    assert np.abs(profile.loss_gradients[0, -5]).max() > 0
    check_every_layer(model, ids)
