"""Plain NumPy references of the cell equations, written independently of rnnviz's recorder.

Each function steps through the sequence in the order the layer consumes it and
returns states and gates indexed by input time, like a LayerTrace.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
}


def reference_trace(trace):
    """States and gates of ``trace``'s layer recomputed in float64 NumPy from its weights and inputs."""
    config = trace.config
    activation = ACTIVATIONS[_name(config.get("activation", "tanh"))]
    recurrent_activation = ACTIVATIONS[_name(config.get("recurrent_activation", "sigmoid"))]
    w = {key: value.astype(np.float64) for key, value in trace.weights.items()}
    x = trace.inputs.astype(np.float64)
    batch, steps, _ = x.shape
    state = {key: value.astype(np.float64) for key, value in trace.initial_states.items()}
    out = {key: np.zeros((batch, steps, trace.units)) for key in (*trace.state_names, *trace.gate_names)}
    order = range(steps - 1, -1, -1) if trace.go_backwards else range(steps)
    step = {
        "simple_rnn": _simple_rnn_step,
        "lstm": _lstm_step,
        "peephole_lstm": _lstm_step,
        "gru": _gru_step,
    }[trace.kind]
    for t in order:
        new_state, gates = step(x[:, t], state, w, activation, recurrent_activation, config, trace.kind)
        real = trace.mask[:, t][:, None]
        state = {key: np.where(real, new_state[key], state[key]) for key in state}
        for key, value in {**state, **gates}.items():
            out[key][:, t] = value
    return out


def _simple_rnn_step(x, state, w, activation, recurrent_activation, config, kind):
    z = x @ w["kernel"] + state["h"] @ w["recurrent_kernel"] + w.get("bias", 0.0)
    return {"h": activation(z)}, {}


def _lstm_step(x, state, w, activation, recurrent_activation, config, kind):
    units = state["h"].shape[1]
    z = x @ w["kernel"] + state["h"] @ w["recurrent_kernel"] + w.get("bias", 0.0)
    z_i, z_f, z_c, z_o = (z[:, k * units : (k + 1) * units] for k in range(4))
    c_prev = state["c"]
    if kind == "peephole_lstm":
        z_i = z_i + w["input_peephole"] * c_prev
        z_f = z_f + w["forget_peephole"] * c_prev
    i, f, g = recurrent_activation(z_i), recurrent_activation(z_f), activation(z_c)
    c = f * c_prev + i * g
    if kind == "peephole_lstm":
        z_o = z_o + w["output_peephole"] * c
    o = recurrent_activation(z_o)
    return {"h": o * activation(c), "c": c}, {"input": i, "forget": f, "candidate": g, "output": o}


def _gru_step(x, state, w, activation, recurrent_activation, config, kind):
    h_prev = state["h"]
    units = h_prev.shape[1]
    kernel, recurrent = w["kernel"], w["recurrent_kernel"]
    bias = w.get("bias")
    if bias is None:
        input_bias = recurrent_bias = np.zeros(3 * units)
    elif config["reset_after"]:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros(3 * units)
    x_all = x @ kernel + input_bias
    parts = slice(0, units), slice(units, 2 * units), slice(2 * units, 3 * units)
    z = recurrent_activation(x_all[:, parts[0]] + h_prev @ recurrent[:, parts[0]] + recurrent_bias[parts[0]])
    r = recurrent_activation(x_all[:, parts[1]] + h_prev @ recurrent[:, parts[1]] + recurrent_bias[parts[1]])
    if config["reset_after"]:
        recurrent_h = r * (h_prev @ recurrent[:, parts[2]] + recurrent_bias[parts[2]])
    else:
        recurrent_h = (r * h_prev) @ recurrent[:, parts[2]]
    candidate = activation(x_all[:, parts[2]] + recurrent_h)
    h = z * h_prev + (1 - z) * candidate
    return {"h": h}, {"update": z, "reset": r, "candidate": candidate}


def _name(activation):
    return activation if isinstance(activation, str) else activation.get("config", activation).get("name")
