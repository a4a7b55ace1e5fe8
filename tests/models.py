"""Small Keras models covering every configuration the recorder must trace exactly.

Each builder returns ``(model, x)`` with random (seeded) weights, including
biases and peepholes, so that no gate is trivially zero.
"""

from __future__ import annotations

import keras
import numpy as np

from rnnviz.layers import PeepholeLSTM

BATCH, STEPS, FEATURES = 3, 9, 4
L = keras.layers


def randomise(model, seed=0, scale=0.6):
    """Give every weight of ``model`` seeded random values (recurrent kernels kept contractive)."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        shape = tuple(variable.shape)
        value = rng.normal(scale=scale, size=shape)
        if "recurrent_kernel" in variable.path:
            value /= np.sqrt(shape[0])
        variable.assign(value.astype(variable.dtype))
    return model


def sequences(seed=1, batch=BATCH, steps=STEPS, features=FEATURES):
    return np.random.default_rng(seed).normal(size=(batch, steps, features)).astype("float32")


def padded(x):
    """``x`` with trailing padding on sample 0, leading padding on sample 1 (zeros)."""
    x = x.copy()
    x[0, -3:] = 0.0
    x[1, :2] = 0.0
    return x


def sequential(*layers, input_shape=(STEPS, FEATURES), dtype="float32"):
    return keras.Sequential([keras.Input(input_shape, dtype=dtype), *layers])


def token_ids(seed=2):
    ids = np.random.default_rng(seed).integers(1, 20, size=(BATCH, STEPS))
    ids[0, -4:] = 0
    ids[2, -1:] = 0
    return ids


def functional_encoder_decoder():
    encoder_input = keras.Input((STEPS, FEATURES))
    decoder_input = keras.Input((5, 2))
    _, h, c = L.LSTM(6, return_state=True, name="encoder")(encoder_input)
    decoded = L.LSTM(6, return_sequences=True, name="decoder")(decoder_input, initial_state=[h, c])
    output = L.TimeDistributed(L.Dense(2))(decoded)
    return keras.Model([encoder_input, decoder_input], output, name="encoder_decoder")


def functional_gru_decoder():
    """A GRU decoder started from a Bidirectional encoder's states, passed as one tensor."""
    encoder_input = keras.Input((STEPS, FEATURES))
    decoder_input = keras.Input((4, 3))
    _, forward_h, backward_h = L.Bidirectional(L.GRU(5, return_state=True), name="encoder")(encoder_input)
    start = L.Dense(5, activation="tanh")(L.Concatenate()([forward_h, backward_h]))
    decoded = L.GRU(5, return_sequences=True, name="decoder")(decoder_input, initial_state=start)
    return keras.Model([encoder_input, decoder_input], decoded, name="gru_decoder")


def functional_two_branches():
    series = keras.Input((STEPS, FEATURES))
    fast = L.GRU(4, name="fast")(series)
    slow = L.SimpleRNN(3, return_sequences=True, name="slow")(L.Dense(5)(series))
    slow = PeepholeLSTM(3, name="slow_peephole")(slow)
    return keras.Model(series, L.Dense(1)(L.Concatenate()([fast, slow])), name="two_branches")


def functional_nested():
    inner = keras.Sequential([keras.Input((STEPS, 6)), L.GRU(4, return_sequences=True, name="inner_gru")], name="inner")
    series = keras.Input((STEPS, FEATURES))
    hidden = inner(L.Dense(6)(series))
    return keras.Model(series, L.LSTM(3, name="outer_lstm")(hidden), name="nested")


def bidirectional(merge_mode, layer=None, masked=False):
    series = keras.Input((STEPS, FEATURES))
    hidden = L.Masking(0.0)(series) if masked else series
    recurrent = layer or L.LSTM(4, return_sequences=True)
    hidden = L.Bidirectional(recurrent, merge_mode=merge_mode, name="bi")(hidden)
    if merge_mode is None:
        hidden = L.Concatenate()(hidden)
    return keras.Model(series, L.GRU(2, name="after")(hidden), name=f"bi_{merge_mode}")


CONFIGURATIONS = {
    "simple_rnn_tanh": lambda: (sequential(L.SimpleRNN(5, return_sequences=True)), sequences()),
    "simple_rnn_relu": lambda: (sequential(L.SimpleRNN(5, activation="relu", return_sequences=True)), sequences()),
    "simple_rnn_linear": lambda: (sequential(L.SimpleRNN(5, activation="linear")), sequences()),
    "lstm": lambda: (sequential(L.LSTM(5, return_sequences=True)), sequences()),
    "lstm_implementation_1": lambda: (sequential(L.LSTM(5, implementation=1, return_sequences=True)), sequences()),
    "gru_reset_after": lambda: (sequential(L.GRU(5, reset_after=True, return_sequences=True)), sequences()),
    "gru_reset_before": lambda: (sequential(L.GRU(5, reset_after=False, return_sequences=True)), sequences()),
    "peephole_lstm": lambda: (sequential(PeepholeLSTM(5, return_sequences=True)), sequences()),
    "rnn_wrapping_lstm_cell": lambda: (sequential(L.RNN(L.LSTMCell(4), return_sequences=True)), sequences()),
    "stacked": lambda: (
        sequential(
            L.SimpleRNN(6, return_sequences=True),
            L.LSTM(5, return_sequences=True),
            PeepholeLSTM(4, return_sequences=True),
            L.GRU(3),
            L.Dense(1),
        ),
        sequences(),
    ),
    "go_backwards": lambda: (
        sequential(L.LSTM(4, go_backwards=True, return_sequences=True), L.GRU(3, go_backwards=True)),
        sequences(),
    ),
    "no_bias": lambda: (
        sequential(
            L.SimpleRNN(3, use_bias=False, return_sequences=True),
            L.LSTM(3, use_bias=False, return_sequences=True),
            L.GRU(3, use_bias=False, return_sequences=True),
            L.GRU(3, use_bias=False, reset_after=False, return_sequences=True),
            PeepholeLSTM(3, use_bias=False),
        ),
        sequences(),
    ),
    "last_layer_returns_vector": lambda: (sequential(L.GRU(5, return_sequences=True), L.LSTM(4)), sequences()),
    **{
        f"bidirectional_{mode}": (lambda mode=mode: (bidirectional(mode), sequences()))
        for mode in ("concat", "sum", "mul", "ave", None)
    },
    "bidirectional_peephole_masked": lambda: (
        bidirectional("concat", PeepholeLSTM(3, return_sequences=True), masked=True),
        padded(sequences()),
    ),
    "bidirectional_vector": lambda: (
        keras.Sequential([keras.Input((STEPS, FEATURES)), L.Bidirectional(L.GRU(3), name="bi")]),
        sequences(),
    ),
    "masking_layer": lambda: (
        sequential(
            L.Masking(0.0),
            L.SimpleRNN(4, return_sequences=True),
            L.LSTM(4, return_sequences=True, go_backwards=True),
            L.GRU(3),
        ),
        padded(sequences()),
    ),
    "embedding_mask_zero": lambda: (
        sequential(
            L.Embedding(20, 4, mask_zero=True),
            L.LSTM(5, return_sequences=True),
            L.Bidirectional(L.GRU(3, return_sequences=True), name="bi"),
            L.SimpleRNN(2),
            input_shape=(STEPS,),
            dtype="int32",
        ),
        token_ids(),
    ),
    "embedding_no_mask": lambda: (
        sequential(L.Embedding(20, 4), L.GRU(5), input_shape=(STEPS,), dtype="int32"),
        token_ids(),
    ),
    "conv1d_in_front": lambda: (
        sequential(L.Conv1D(6, 3, padding="causal", activation="relu"), L.LSTM(4)),
        sequences(),
    ),
    "conv1d_strided": lambda: (sequential(L.Conv1D(6, 3, strides=2), L.SimpleRNN(4)), sequences()),
    "dense_in_front": lambda: (sequential(L.Dense(7, activation="tanh"), L.GRU(4)), sequences()),
    "functional_encoder_decoder": lambda: (
        functional_encoder_decoder(),
        [sequences(), sequences(seed=5, steps=5, features=2)],
    ),
    "functional_gru_decoder": lambda: (
        functional_gru_decoder(),
        [sequences(), sequences(seed=6, steps=4, features=3)],
    ),
    "functional_two_branches": lambda: (functional_two_branches(), sequences()),
    "repeat_vector_decoder": lambda: (
        sequential(L.LSTM(5), L.RepeatVector(6), L.GRU(4, return_sequences=True), L.TimeDistributed(L.Dense(1))),
        sequences(),
    ),
    "functional_nested": lambda: (functional_nested(), sequences()),
}


def build(name, seed=0):
    model, x = CONFIGURATIONS[name]()
    return randomise(model, seed=seed), x
