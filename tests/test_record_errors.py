"""Bad models and bad inputs get a clear rnnviz error naming the argument."""

import keras
import numpy as np
import pytest

import rnnviz
from rnnviz.errors import InputError, UnsupportedModelError
from rnnviz.recording import checks
from tests.models import build, sequential

L = keras.layers


def test_model_without_recurrent_layer():
    model = sequential(L.Dense(3), L.Conv1D(2, 3))
    with pytest.raises(UnsupportedModelError, match=r"model: .* has no recurrent layer"):
        rnnviz.record(model, np.zeros((1, 9, 4), "float32"))


def test_unsupported_recurrent_layer_is_named():
    model = keras.Sequential([keras.Input((5, 8, 8, 1)), L.ConvLSTM2D(2, 3), L.Flatten(), L.Dense(1)])
    with pytest.raises(UnsupportedModelError, match=r"model: layer 'conv_lstm2d\w*' \(ConvLSTM2D\) cannot be recorded"):
        rnnviz.record(model, np.zeros((1, 5, 8, 8, 1), "float32"))


def test_subclassed_lstm_cell_is_recorded_through_its_own_call_not_the_lstm_equations():
    class ScaledCell(L.LSTMCell):
        def call(self, inputs, states, training=False):
            return super().call(2 * inputs, states, training)

    model = sequential(L.RNN(ScaledCell(3), return_sequences=True))
    x = np.random.default_rng(0).normal(size=(1, 9, 4)).astype("float32")
    trace = rnnviz.record(model, x)
    assert trace.layers[0].kind == "custom" and not trace.layers[0].gates  # no LSTM gates claimed for it
    np.testing.assert_allclose(trace.layers[0].states["h"], model.predict(x, verbose=0), atol=1e-5)


def test_not_a_model():
    with pytest.raises(UnsupportedModelError, match="model: expected a Keras 3 model"):
        rnnviz.record(L.LSTM(3), np.zeros((1, 9, 4), "float32"))


def test_model_without_inputs():
    model = keras.Sequential([L.LSTM(3)])
    with pytest.raises(UnsupportedModelError, match="model: .* no defined inputs"):
        rnnviz.record(model, np.zeros((1, 9, 4), "float32"))


@pytest.mark.parametrize(
    "shape, message",
    [
        ((9, 4), r"x: expected a 3-D array \(batch, time, features\).*got shape \(9, 4\).*x\[None\]"),
        ((1, 1, 9, 4), r"x: expected a 3-D array"),
        ((2, 9, 5), r"x: .*number of features must be 4; got shape \(2, 9, 5\)"),
        ((2, 8, 4), r"x: .*number of steps must be 9"),
        ((0, 9, 4), r"x: needs at least one sample"),
    ],
)
def test_wrong_shapes(shape, message):
    model, _ = build("lstm")
    with pytest.raises(InputError, match=message):
        rnnviz.record(model, np.zeros(shape, "float32"))


def test_wrong_number_of_inputs():
    model, x = build("functional_encoder_decoder")
    with pytest.raises(InputError, match="x: the model has 2 inputs"):
        rnnviz.record(model, x[0])


def test_non_numeric_input():
    model, _ = build("lstm")
    with pytest.raises(InputError, match="x: expected numbers"):
        rnnviz.record(model, np.full((1, 9, 4), "a"))


def test_non_finite_input_needs_opt_in():
    model, x = build("lstm")
    x = x.copy()
    x[1, 3, 2] = np.nan
    with pytest.raises(InputError, match=r"x: holds 1 NaN or infinite values \(first at index \(1, 3, 2\)\).*allow_nonfinite"):
        rnnviz.record(model, x)
    trace = rnnviz.record(model, x, allow_nonfinite=True)
    h = trace.layers[0].states["h"]
    assert np.isnan(h[1, 3:]).all() and np.isfinite(h[0]).all() and np.isfinite(h[1, :3]).all()


def test_batch_too_large_is_refused_before_recording(monkeypatch):
    model, x = build("lstm")
    with pytest.raises(InputError, match=r"x: recording this batch would hold about .* \(max_bytes\)"):
        rnnviz.record(model, x, max_bytes=1000)
    monkeypatch.setattr(checks, "available_memory", lambda: 1_000)
    with pytest.raises(InputError, match=r"of the memory available now\); record fewer samples"):
        rnnviz.record(model, x)


def test_trace_estimate_matches_what_is_returned():
    from rnnviz.recording.record import _cells_of, _trace_bytes
    from rnnviz.recording.replay import recurrent_layers

    model, x = build("stacked")
    trace = rnnviz.record(model, x)
    returned = sum(
        array.nbytes
        for layer in trace.layers
        for array in (layer.inputs, layer.mask, *layer.states.values(), *layer.gates.values())
    )
    estimate = _trace_bytes(_cells_of(recurrent_layers(model)), x)
    assert returned <= estimate <= 1.5 * returned


def test_mask_of_wrong_shape():
    model, x = build("lstm")
    with pytest.raises(InputError, match=r"mask: expected shape \(3, 9\)"):
        rnnviz.record(model, x, mask=np.ones((3, 8), bool))


def test_unknown_layer_name_lists_the_names():
    model, x = build("stacked")
    trace = rnnviz.record(model, x)
    with pytest.raises(KeyError, match="no recurrent layer named 'nope'; this trace has"):
        trace["nope"]
