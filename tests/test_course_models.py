"""Models built the way courses build them, which rnnviz once refused or got wrong (issue 15)."""

import keras
import numpy as np
import pytest

import rnnviz
from rnnviz.errors import InputError, TraceFileError, UnknownLayerError, UnsupportedModelError
from tests.models import randomise, sequences, sequential
from tests.test_loss_gradients import check_every_layer

L = keras.layers


@pytest.fixture(scope="module")
def fit_built():
    """TensorFlow's time-series tutorial: a Sequential without keras.Input, built by fit() at batch 32."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([L.LSTM(8, return_sequences=True, name="lstm"), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 24, 19)).astype("float32")
    model.fit(x, np.zeros((64, 24, 1), "float32"), batch_size=32, epochs=1, verbose=0)
    assert tuple(model.inputs[0].shape) == (32, 24, 19)  # the fit's batch size is kept in the input shape
    return model, x


@pytest.mark.parametrize("batch", [1, 4, 33])
def test_fit_built_model_recorded_at_any_batch_size(fit_built, batch):
    model, x = fit_built
    x = np.concatenate([x, x])[:batch]
    trace = rnnviz.record(model, x)
    np.testing.assert_allclose(trace.model_output, model.predict(x, verbose=0), atol=1e-5)
    assert trace["lstm"].states["h"].shape == (batch, 24, 8)
    assert rnnviz.gradient_profile(model, x).norms.shape == (batch, 24)


def test_fit_built_model_in_the_time_step_explorer(fit_built):
    from rnnviz.widgets import TimeStepExplorer

    model, x = fit_built
    explorer = TimeStepExplorer(model, x[:4])
    assert explorer.layer_trace.batch_size == 4


def test_stateful_layer_needs_the_batch_its_states_hold():
    model = keras.Sequential([keras.Input(batch_shape=(2, 6, 3)), L.LSTM(4, stateful=True, name="memory")])
    model(np.zeros((2, 6, 3), "float32"))
    with pytest.raises(InputError, match="x: layer 'memory' is stateful and keeps states for a batch of 2 samples"):
        rnnviz.record(model, np.zeros((3, 6, 3), "float32"))


@pytest.fixture
def mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("layer", [L.SimpleRNN, L.LSTM, L.GRU])
def test_mixed_precision_recorded_to_its_precision(mixed_precision, layer):
    """Keras computes in float16; the trace is float32 from the same weights: equal to float16 precision."""
    model = sequential(layer(6, return_sequences=True, name="rnn"), L.Dense(1), input_shape=(20, 4))
    x = sequences(steps=20)
    expected = np.asarray(keras.Model(model.inputs, model.get_layer("rnn").output)(x), "float32")
    trace = rnnviz.record(model, x)
    assert trace["rnn"].states["h"].dtype == np.float32
    np.testing.assert_allclose(trace["rnn"].states["h"], expected, atol=5e-3)
    np.testing.assert_allclose(trace.model_output, model.predict(x, verbose=0), atol=5e-3)
    profile = rnnviz.gradient_profile(model, x, loss="mse", y=np.zeros((3, 20, 1), "float32"))
    assert np.isfinite(profile.norms).all() and np.abs(profile.loss_gradients).max() > 0


def hierarchical_rnn():
    """keras-io's hierarchical RNN: an LSTM over the rows of each image, then one over the row encodings."""
    image = keras.Input((6, 7, 2))
    rows = L.TimeDistributed(L.LSTM(5, name="row_lstm"), name="rows")(image)
    columns = L.LSTM(4, name="columns")(rows)
    return randomise(keras.Model(image, L.Dense(3)(columns))), sequences(steps=6, features=2 * 7).reshape(3, 6, 7, 2)


def test_time_distributed_lstm_is_recorded_per_slice():
    model, x = hierarchical_rnn()
    trace = rnnviz.record(model, x)
    assert trace.layer_names == ["row_lstm", "columns"]
    rows = trace["row_lstm"]
    assert (rows.batch_size, rows.steps, rows.sequences_per_sample) == (3 * 6, 7, 6)
    encoded = np.asarray(keras.Model(model.inputs, model.get_layer("rows").output)(x))
    np.testing.assert_allclose(rows.states["h"][:, -1].reshape(3, 6, 5), encoded, atol=1e-5)
    np.testing.assert_allclose(rows.inputs.reshape(x.shape), x)
    np.testing.assert_allclose(trace.model_output, model.predict(x, verbose=0), atol=1e-5)
    check_every_layer(model, x)


def test_time_distributed_survives_save_and_load(tmp_path):
    model, x = hierarchical_rnn()
    loaded = rnnviz.load(rnnviz.record(model, x).save(tmp_path / "rows.npz"))
    assert loaded["row_lstm"].sequences_per_sample == 6 and "6 sequences per sample" in repr(loaded["row_lstm"])


def test_subclassed_model_already_called_is_recorded_through_its_calls():
    class Forecaster(keras.Model):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = L.LSTM(4), L.Dense(1)

        def call(self, x):
            return self.head(self.rnn(x))

    model = Forecaster()
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    model(x)
    trace = rnnviz.record(model, x)
    np.testing.assert_allclose(trace.layers[0].states["h"][:, -1], model.rnn(x), atol=1e-5)
    np.testing.assert_allclose(trace.model_output, model(x), atol=1e-6)


@pytest.mark.parametrize("wrap", [lambda layer: layer, L.Bidirectional])
def test_use_cudnn_without_a_gpu_is_refused_like_keras(wrap):
    model = sequential(wrap(L.LSTM(4, use_cudnn=True)), L.Dense(1))
    with pytest.raises(ValueError, match="use_cudnn=True"):  # Keras refuses it on this machine ...
        model(sequences())
    with pytest.raises(UnsupportedModelError, match="asks for use_cudnn=True, and there is no GPU here"):
        rnnviz.record(model, sequences())  # ... and so does rnnviz


def test_a_file_that_is_not_npz_gets_no_pickle_advice(tmp_path):
    path = tmp_path / "random.npz"
    path.write_bytes(np.random.default_rng(0).bytes(200))
    with pytest.raises(TraceFileError, match="random.npz: not an rnnviz file") as error:
        rnnviz.load(path)
    assert "pickle" not in str(error.value)


def test_unknown_layer_name_is_one_error_everywhere():
    model = sequential(L.Bidirectional(L.GRU(3), name="bi"))
    trace = rnnviz.record(model, sequences())
    for call in (
        lambda: trace["nope"],
        lambda: rnnviz.StateHeatmapDisplay.from_trace(trace, layer="nope"),
        lambda: rnnviz.gradient_profile(model, sequences(), layer="nope"),
    ):
        with pytest.raises(UnknownLayerError, match=r"layer: no recurrent layer named 'nope'; this trace has \['bi/forward'"):
            call()
    with pytest.raises(KeyError, match="'bi' is Bidirectional: choose"):
        trace["bi"]
    with pytest.raises(ValueError, match="'bi' is Bidirectional: choose"):
        rnnviz.CellDisplay.from_trace(trace, "bi")
