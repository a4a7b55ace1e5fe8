"""rnnviz.layers.PeepholeLSTM: the equations, training, and saving with Keras."""

import subprocess
import sys

import keras
import numpy as np

import rnnviz
from rnnviz.layers import PeepholeLSTM, PeepholeLSTMCell
from tests.models import randomise, sequences


def _pair(**kwargs):
    x = sequences()
    lstm = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.LSTM(5, return_sequences=True, **kwargs)])
    peephole = keras.Sequential([keras.Input(x.shape[1:]), PeepholeLSTM(5, return_sequences=True, **kwargs)])
    randomise(lstm)
    return lstm, peephole, x


def test_with_zero_peepholes_it_is_keras_lstm():
    lstm, peephole, x = _pair()
    cell = peephole.layers[0].cell
    cell.kernel.assign(lstm.layers[0].cell.kernel)
    cell.recurrent_kernel.assign(lstm.layers[0].cell.recurrent_kernel)
    cell.bias.assign(lstm.layers[0].cell.bias)
    for weight in (cell.input_peephole, cell.forget_peephole, cell.output_peephole):
        weight.assign(np.zeros(5, "float32"))
    np.testing.assert_allclose(peephole.predict(x, verbose=0), lstm.predict(x, verbose=0), atol=1e-6)


def test_peepholes_change_the_gates_as_the_equations_say():
    _, peephole, x = _pair()
    randomise(peephole, seed=4)
    trace = rnnviz.record(peephole, x)[peephole.layers[0].name]
    w = trace.weights
    c_prev = np.concatenate([trace.initial_states["c"][:, None], trace.states["c"][:, :-1]], axis=1)
    h_prev = np.concatenate([trace.initial_states["h"][:, None], trace.states["h"][:, :-1]], axis=1)
    z = trace.inputs @ w["kernel"] + h_prev @ w["recurrent_kernel"] + w["bias"]
    z_i, z_f, _, z_o = np.split(z, 4, axis=-1)
    sigmoid = lambda v: 1 / (1 + np.exp(-v))
    np.testing.assert_allclose(trace.gates["input"], sigmoid(z_i + w["input_peephole"] * c_prev), atol=1e-5)
    np.testing.assert_allclose(trace.gates["forget"], sigmoid(z_f + w["forget_peephole"] * c_prev), atol=1e-5)
    np.testing.assert_allclose(trace.gates["output"], sigmoid(z_o + w["output_peephole"] * trace.states["c"]), atol=1e-5)


def test_weights_have_keras_lstm_layout():
    cell = PeepholeLSTMCell(3)
    cell.build((None, 2))
    shapes = {w.name: tuple(w.shape) for w in cell.weights}
    assert shapes == {
        "kernel": (2, 12),
        "recurrent_kernel": (3, 12),
        "bias": (12,),
        "input_peephole": (3,),
        "forget_peephole": (3,),
        "output_peephole": (3,),
    }
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(cell.bias)[3:6], np.ones(3))  # unit forget bias


def test_it_trains_including_the_peepholes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 12, 2)).astype("float32")
    y = x[:, :3, 0].sum(axis=1, keepdims=True)  # remember the start of the sequence
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((12, 2)), PeepholeLSTM(8), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    before = {w.path: w.numpy().copy() for w in model.layers[0].weights}
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    for weight in model.layers[0].weights:
        assert weight.trainable
        assert not np.allclose(before[weight.path], weight.numpy()), weight.path


def test_saves_and_loads_with_keras(tmp_path):
    x = sequences()
    model = keras.Sequential(
        [keras.Input(x.shape[1:]), keras.layers.Bidirectional(PeepholeLSTM(4, return_sequences=True)), PeepholeLSTM(3, go_backwards=True)]
    )
    randomise(model)
    path = tmp_path / "m.keras"
    model.save(path)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", model.predict(x, verbose=0))
    code = (
        "import numpy as np, keras, rnnviz.layers\n"
        f"m = keras.models.load_model({str(path)!r})\n"
        f"x = np.load({str(tmp_path / 'x.npy')!r}); y = np.load({str(tmp_path / 'y.npy')!r})\n"
        "np.testing.assert_allclose(m.predict(x, verbose=0), y, atol=1e-6)\n"
        "assert type(m.layers[1]).__name__ == 'PeepholeLSTM' and m.layers[1].go_backwards\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_config_round_trip():
    layer = PeepholeLSTM(7, activation="relu", return_sequences=True, peephole_initializer="zeros", name="p")
    clone = PeepholeLSTM.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.units == 7 and clone.return_sequences
