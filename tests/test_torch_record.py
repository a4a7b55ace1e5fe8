"""rnnviz.record on PyTorch modules: every state and gate equals PyTorch's outputs and a NumPy reference."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

import rnnviz  # noqa: E402
from rnnviz.errors import InputError, UnsupportedModelError  # noqa: E402
from rnnviz.recording.pytorch import equations as torch_equations  # noqa: E402
from rnnviz.recording.pytorch.record import record  # noqa: E402

ATOL = 1e-5
GATES = {"lstm": ("input", "forget", "candidate", "output"), "gru": ("update", "reset", "candidate"), "simple_rnn": ()}


# ---- an independent NumPy reference of PyTorch's equations (gate order i, f, g, o; GRU r, z, n) ----

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def reference_direction(kind, relu, weights, x, h0, c0, mask, reverse):
    """One layer and direction in float64: h, c and the gates at every step (input time order).

    At padded steps (mask False) the state is carried over; the gates are what the cell computes there.
    """
    w_ih, w_hh, b_ih, b_hh = (np.asarray(w, np.float64) for w in weights)
    batch, steps, _ = x.shape
    units = w_hh.shape[1]
    h, c = np.array(h0, np.float64), np.array(c0, np.float64)
    out = {name: np.zeros((batch, steps, units)) for name in ("h", "c", *GATES[kind])}
    for t in reversed(range(steps)) if reverse else range(steps):
        a = x[:, t] @ w_ih.T + b_ih
        b = h @ w_hh.T + b_hh
        m = mask[:, t, None]
        if kind == "simple_rnn":
            new_h = np.maximum(a + b, 0) if relu else np.tanh(a + b)
            new_c = c
        elif kind == "lstm":
            i, f, g, o = np.split(a + b, 4, axis=1)
            i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
            new_c = f * c + i * g
            new_h = o * np.tanh(new_c)
            out["input"][:, t], out["forget"][:, t], out["candidate"][:, t], out["output"][:, t] = i, f, g, o
        else:
            a_r, a_z, a_n = np.split(a, 3, axis=1)
            b_r, b_z, b_n = np.split(b, 3, axis=1)
            r, z = sigmoid(a_r + b_r), sigmoid(a_z + b_z)
            n = np.tanh(a_n + r * b_n)
            new_h, new_c = (1 - z) * n + z * h, c
            out["reset"][:, t], out["update"][:, t], out["candidate"][:, t] = r, z, n
        h, c = np.where(m, new_h, h), np.where(m, new_c, c)
        out["h"][:, t], out["c"][:, t] = h, c
    return out


def reference_module(module, x, mask, h0=None, c0=None):
    """Every layer and direction of an nn.RNN/LSTM/GRU: {(layer, direction): reference_direction(...)}."""
    kind = {nn.RNN: "simple_rnn", nn.LSTM: "lstm", nn.GRU: "gru"}[type(module)]
    directions, units = 2 if module.bidirectional else 1, module.hidden_size
    count = module.num_layers * directions
    h0 = np.zeros((count, x.shape[0], units)) if h0 is None else h0
    c0 = np.zeros_like(h0) if c0 is None else c0
    result, layer_input = {}, np.asarray(x, np.float64)
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            weights = [getattr(module, f"{name}{suffix}").detach().double().numpy() if module.bias or "weight" in name
                       else np.zeros(getattr(module, f"weight_ih{suffix}").shape[0])
                       for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            ref = reference_direction(kind, getattr(module, "nonlinearity", "") == "relu", weights, layer_input,
                                      h0[layer * directions + direction], c0[layer * directions + direction],
                                      mask, reverse=bool(direction))
            result[layer, direction] = ref
            outputs.append(ref["h"] * mask[..., None])  # what the next layer receives: zero at padding
        layer_input = np.concatenate(outputs, axis=-1)
    return kind, result


def check_module(trace, module, x, mask, own_output, path="", h0=None, c0=None):
    """The module's traces equal the NumPy reference and PyTorch's own output sequence, h_n and c_n."""
    kind, reference = reference_module(module, x, mask, h0, c0)
    directions, units = 2 if module.bidirectional else 1, module.hidden_size
    sequence, finals = own_output
    finals = finals if isinstance(finals, tuple) else (finals,)
    if isinstance(sequence, nn.utils.rnn.PackedSequence):
        sequence = pad_packed_sequence(sequence, batch_first=True, total_length=x.shape[1])[0]
    elif not module.batch_first:
        sequence = sequence.transpose(0, 1)
    base = path or type(module).__name__.lower()
    for (layer, direction), ref in reference.items():
        name = base + (f"/layer{layer + 1}" if module.num_layers > 1 else "")
        name += ("/backward" if direction else "/forward") if module.bidirectional else ""
        layer_trace = trace[name]
        assert layer_trace.kind == kind and layer_trace.go_backwards == bool(direction)
        np.testing.assert_array_equal(layer_trace.mask, mask)
        for state in layer_trace.state_names:
            np.testing.assert_allclose(layer_trace.states[state], ref[state], atol=ATOL, err_msg=f"{name} {state}")
        for gate in layer_trace.gate_names:
            np.testing.assert_allclose(layer_trace.gates[gate], ref[gate], atol=ATOL, err_msg=f"{name} {gate}")
        index = layer * directions + direction
        for state, final in zip(("h", "c"), finals):
            last = layer_trace.states[state][:, 0 if direction else -1]
            np.testing.assert_allclose(last, final[index].detach().numpy(), atol=ATOL, err_msg=f"{name} {state}_n")
        if layer == module.num_layers - 1:
            own = sequence[..., direction * units:(direction + 1) * units].detach().numpy()
            np.testing.assert_allclose(layer_trace.states["h"] * mask[..., None], own, atol=ATOL)
    return reference


def make(cls, *args, seed=0, **kwargs):
    torch.manual_seed(seed)
    return cls(*args, **kwargs).eval()


def inputs(batch, steps, features, seed=1):
    return np.random.default_rng(seed).normal(size=(batch, steps, features)).astype(np.float32)


KINDS = [(nn.RNN, {}), (nn.RNN, {"nonlinearity": "relu"}), (nn.LSTM, {}), (nn.GRU, {})]
KIND_IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]


# ---- exactness ----

@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("cls, options", KINDS, ids=KIND_IDS)
def test_every_state_and_gate_is_exact(cls, options, num_layers, bidirectional, batch_first):
    module = make(cls, 3, 5, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, **options)
    x = inputs(4, 9, 3)
    given = torch.from_numpy(x if batch_first else x.transpose(1, 0, 2).copy())
    trace = record(module, given)
    assert len(trace) == num_layers * (2 if bidirectional else 1)
    check_module(trace, module, x, np.ones((4, 9), bool), module(given))
    first = trace.layers[0]
    assert first.inputs.shape == (4, 9, 3) and first.states["h"].shape == (4, 9, 5)
    np.testing.assert_array_equal(first.inputs, x)


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.RNN])
def test_initial_states_are_used_and_kept(cls):
    module = make(cls, 3, 4, num_layers=2, bidirectional=True, batch_first=True)
    x = inputs(3, 6, 3)
    rng = np.random.default_rng(5)
    h0 = rng.normal(size=(4, 3, 4)).astype(np.float32)
    c0 = rng.normal(size=(4, 3, 4)).astype(np.float32)
    hx = (torch.from_numpy(h0), torch.from_numpy(c0)) if cls is nn.LSTM else torch.from_numpy(h0)
    trace = record(module, (torch.from_numpy(x), hx))
    check_module(trace, module, x, np.ones((3, 6), bool), module(torch.from_numpy(x), hx),
                 h0=h0, c0=c0 if cls is nn.LSTM else None)
    np.testing.assert_array_equal(trace["lstm/layer2/backward" if cls is nn.LSTM else trace.layer_names[3]]
                                  .initial_states["h"], h0[3])
    if cls is nn.LSTM:
        np.testing.assert_array_equal(trace["lstm/layer1/forward"].initial_states["c"], c0[0])


@pytest.mark.parametrize("cls, options", KINDS, ids=KIND_IDS)
def test_packed_sequences_mark_padding_and_carry_the_state(cls, options):
    module = make(cls, 3, 5, num_layers=2, bidirectional=True, batch_first=True, **options)
    lengths = torch.tensor([4, 7, 1, 5])
    x = inputs(4, 7, 3)
    mask = np.arange(7)[None] < lengths.numpy()[:, None]
    x = x * mask[..., None]  # what pad_packed_sequence gives back: zeros past each length
    packed = pack_padded_sequence(torch.from_numpy(x), lengths, batch_first=True, enforce_sorted=False)
    trace = record(module, packed)
    check_module(trace, module, x, mask, module(packed))
    forward, backward = trace.layers[2], trace.layers[3]
    # Carried over as Keras does: the last real state going forwards, the initial (zero) state going backwards.
    np.testing.assert_array_equal(forward.states["h"][2, 1:], np.repeat(forward.states["h"][2, :1], 6, axis=0))
    assert not backward.states["h"][0, 4:].any()


def test_dropout_between_layers_in_eval_mode():
    module = make(nn.LSTM, 3, 5, num_layers=3, dropout=0.5, batch_first=True)
    x = inputs(2, 8, 3)
    trace = record(module, torch.from_numpy(x))
    check_module(trace, module, x, np.ones((2, 8), bool), module(torch.from_numpy(x)))


def test_unbatched_input_is_a_batch_of_one():
    module = make(nn.GRU, 3, 4, num_layers=2)
    x = inputs(1, 6, 3)
    trace = record(module, torch.from_numpy(x[0]))
    out, h_n = module(torch.from_numpy(x[0]))
    check_module(trace, module, x, np.ones((1, 6), bool), (out[:, None], h_n[:, None]))


class Decoder(nn.Module):
    """An autoregressive decoder: a cell called in a Python loop, each output fed back as the next input."""

    def __init__(self, cell_class, features=3, units=5, steps=7):
        super().__init__()
        self.cell, self.out, self.steps = cell_class(features, units), nn.Linear(units, features), steps

    def forward(self, x):
        state, y, outputs = None, x, []
        for _ in range(self.steps):
            state = self.cell(y, state)
            h = state[0] if isinstance(state, tuple) else state
            y = self.out(h)
            outputs.append(y)
        return torch.stack(outputs, dim=1)


@pytest.mark.parametrize("cell_class", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_a_cell_called_in_a_loop_is_one_trace_of_its_calls(cell_class):
    torch.manual_seed(0)
    decoder = Decoder(cell_class).eval()
    x = torch.from_numpy(inputs(2, 1, 3)[:, 0])
    trace = record(decoder, x)
    assert trace.layer_names == ["cell"] and trace.model_name == "Decoder"
    cell_trace = trace["cell"]
    assert cell_trace.steps == 7 and cell_trace.mask.all()
    # Replay the loop by hand with PyTorch's cell: every step's input and states.
    kind = {nn.RNNCell: "simple_rnn", nn.LSTMCell: "lstm", nn.GRUCell: "gru"}[cell_class]
    state, y = None, x
    for t in range(7):
        np.testing.assert_allclose(cell_trace.inputs[:, t], y.detach().numpy(), atol=ATOL)
        state = decoder.cell(y, state)
        parts = state if isinstance(state, tuple) else (state,)
        for name, part in zip(("h", "c"), parts):
            np.testing.assert_allclose(cell_trace.states[name][:, t], part.detach().numpy(), atol=ATOL)
        y = decoder.out(parts[0])
    weights = [getattr(decoder.cell, name).detach().double().numpy()
               for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    zeros = np.zeros((2, 5))
    ref = reference_direction(kind, False, weights, cell_trace.inputs, zeros, zeros, np.ones((2, 7), bool), False)
    for name in (*cell_trace.state_names, *cell_trace.gate_names):
        values = cell_trace.states.get(name, cell_trace.gates.get(name))
        np.testing.assert_allclose(values, ref[name], atol=ATOL, err_msg=name)
    np.testing.assert_allclose(trace.model_output, decoder(x).detach().numpy(), atol=ATOL)


def test_a_cell_loop_that_restarts_gives_a_second_trace():
    class Restarting(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.GRUCell(2, 3)

        def forward(self, x):
            h = None
            for t in range(x.shape[1]):
                h = self.cell(x[:, t], None if t == 3 else h)
            return h

    torch.manual_seed(0)
    module = Restarting()
    trace = record(module, torch.from_numpy(inputs(2, 5, 2)))
    assert trace.layer_names == ["cell", "cell#2"]
    assert [layer.steps for layer in trace] == [3, 2]
    assert not trace["cell#2"].initial_states["h"].any()


class RNNModel(nn.Module):
    """The d2l course's RNNModel, with an embedding: token ids -> Embedding -> nn.LSTM -> Linear."""

    def __init__(self, vocab_size=12, embed=6, units=8):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed)
        self.rnn = nn.LSTM(embed, units)
        self.linear = nn.Linear(units, vocab_size)

    def forward(self, inputs, state=None):
        X = self.embedding(inputs.T.long())  # (steps, batch, embed), as d2l transposes
        Y, state = self.rnn(X, state)
        return self.linear(Y.reshape((-1, Y.shape[-1]))), state


class Forecaster(nn.Module):
    """A time-series forecaster: a two-layer nn.LSTM (batch first) and a Linear head on the last step."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 16, num_layers=2, batch_first=True, dropout=0.2)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def test_a_d2l_style_language_model():
    torch.manual_seed(0)
    model = RNNModel().eval()
    tokens = np.random.default_rng(2).integers(0, 12, size=(3, 10))
    trace = rnnviz.record(model, (tokens,))
    assert trace.layer_names == ["rnn"]
    embedded = model.embedding(torch.from_numpy(tokens)).detach().numpy()
    np.testing.assert_allclose(trace["rnn"].inputs, embedded, atol=ATOL)
    X = model.embedding(torch.from_numpy(tokens).T)
    check_module(trace, model.rnn, embedded, np.ones((3, 10), bool), model.rnn(X), path="rnn")
    np.testing.assert_array_equal(trace.model_input, tokens)
    assert trace["rnn"].config["class_name"] == "LSTM" and trace.versions["framework"] == "torch"


def test_a_time_series_forecaster():
    torch.manual_seed(0)
    model = Forecaster().eval()
    series = np.sin(np.arange(40) / 3).astype(np.float32)
    x = np.stack([series[i:i + 24] for i in range(0, 16, 4)])[..., None]
    trace = rnnviz.record(model, x)  # a NumPy array: turned into a float32 tensor
    assert trace.layer_names == ["lstm/layer1", "lstm/layer2"]
    check_module(trace, model.lstm, x, np.ones(x.shape[:2], bool), model.lstm(torch.from_numpy(x)), path="lstm")
    np.testing.assert_allclose(trace.model_output, model(torch.from_numpy(x)).detach().numpy(), atol=ATOL)


def test_a_module_called_twice_gives_numbered_traces():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(2, 3, batch_first=True)

        def forward(self, x):
            out, h = self.gru(x)
            return self.gru(x, h)[0]

    torch.manual_seed(0)
    trace = record(Twice().eval(), torch.from_numpy(inputs(2, 4, 2)))
    assert trace.layer_names == ["gru", "gru#2"]
    np.testing.assert_allclose(trace["gru#2"].initial_states["h"], trace["gru"].states["h"][:, -1], atol=ATOL)


def test_weights_in_keras_layout_and_pytorch_names():
    module = make(nn.GRU, 3, 4)
    layer_trace = record(module, torch.from_numpy(inputs(2, 5, 3))).layers[0]
    w = layer_trace.weights
    assert w["kernel"].shape == (3, 12) and w["recurrent_kernel"].shape == (4, 12) and w["bias"].shape == (2, 12)
    # Keras's GRU order z, r, h: PyTorch's second block first.
    np.testing.assert_array_equal(w["kernel"][:, :4], module.weight_ih_l0.detach().numpy()[4:8].T)
    np.testing.assert_array_equal(w["weight_hh"], module.weight_hh_l0.detach().numpy())
    config = layer_trace.config
    assert config["framework"] == "torch" and config["reset_after"] is True and config["class_name"] == "GRU"


def test_the_module_is_unchanged_and_hooks_are_removed():
    module = make(nn.LSTM, 3, 4, num_layers=2)
    before = {name: value.clone() for name, value in module.state_dict().items()}
    record(module, torch.from_numpy(inputs(3, 5, 3)))
    with pytest.raises(InputError):
        record(module, torch.zeros(3, 5, 7))
    assert not module._forward_hooks and not module._forward_pre_hooks
    for name, value in module.state_dict().items():
        assert torch.equal(value, before[name])


def test_save_and_load_need_neither_tensorflow_nor_torch(tmp_path):
    module = make(nn.LSTM, 3, 4, bidirectional=True)
    trace = rnnviz.record(module, torch.from_numpy(inputs(2, 5, 3)))
    path = trace.save(tmp_path / "torch.npz")
    script = textwrap.dedent(f"""
        import importlib.abc, sys
        class Blocker(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("tensorflow", "keras", "torch"):
                    raise ImportError(name + " is blocked")
        sys.meta_path.insert(0, Blocker())
        import rnnviz
        trace = rnnviz.load({str(path)!r})
        print(trace.layer_names, trace.versions["framework"], trace.layers[1].config["class_name"])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['lstm/forward', 'lstm/backward'] torch LSTM"
    loaded = rnnviz.load(path)
    for name in ("h", "c"):
        np.testing.assert_array_equal(loaded["lstm/backward"].states[name], trace["lstm/backward"].states[name])


def test_import_rnnviz_imports_no_torch():
    done = subprocess.run([sys.executable, "-c", "import rnnviz, sys; print('torch' in sys.modules)"],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


# ---- what is refused ----

def test_a_recomputation_that_differs_is_an_error(monkeypatch):
    original = torch_equations.GRUEquations.step

    def swapped(self, projected, before, w):  # z and r exchanged: a plausible mistake
        x_r, x_z, x_n = projected.chunk(3, -1)
        return original(self, torch.cat([x_z, x_r, x_n], -1), before, w)

    monkeypatch.setattr(torch_equations.GRUEquations, "step", swapped)
    with pytest.raises(UnsupportedModelError, match="differ from its output h"):
        record(make(nn.GRU, 3, 4), torch.from_numpy(inputs(2, 5, 3)))


def test_refused_modules_are_named():
    class MyLSTM(nn.LSTM):
        pass

    class Wrapper(nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.encoder = rnn

        def forward(self, x):
            return self.encoder(x)[0]

    x = torch.from_numpy(inputs(2, 5, 3))
    with pytest.raises(UnsupportedModelError, match="'encoder' \\(MyLSTM\\).*subclass of LSTM"):
        record(Wrapper(MyLSTM(3, 4)), x)
    with pytest.raises(UnsupportedModelError, match="'encoder' \\(LSTM\\) has proj_size=2"):
        record(Wrapper(nn.LSTM(3, 4, proj_size=2)), x)
    with pytest.raises(UnsupportedModelError, match="training mode with dropout=0.5.*model.eval"):
        record(Wrapper(nn.LSTM(3, 4, num_layers=2, dropout=0.5)), x)
    with pytest.raises(UnsupportedModelError, match="Sequential module has no recurrent submodule.*Linear"):
        record(nn.Sequential(nn.Linear(3, 3), nn.ReLU()), x)
    with pytest.raises(UnsupportedModelError, match="float32 or float64"):
        record(Wrapper(nn.GRU(3, 4).half()), x)


def test_a_module_whose_forward_skips_its_rnn():
    class Skips(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.linear = nn.RNN(3, 4), nn.Linear(3, 1)

        def forward(self, x):
            return self.linear(x)

    with pytest.raises(UnsupportedModelError, match="ran none of its recurrent submodules \\('rnn'\\)"):
        record(Skips(), torch.from_numpy(inputs(2, 5, 3)))


def test_bad_input_is_named():
    module = make(nn.LSTM, 3, 4, batch_first=True)
    with pytest.raises(InputError, match="x: the LSTM module rejected the input \\(a torch.float32 tensor of shape"):
        record(module, torch.zeros(2, 5, 7))
    bad = inputs(2, 5, 3)
    bad[1, 2, 0] = np.nan
    with pytest.raises(InputError, match="x: holds 1 NaN"):
        record(module, bad)
    assert record(module, bad, allow_nonfinite=True).layers[0].steps == 5
    with pytest.raises(InputError, match="mask: a PyTorch module takes no mask; give it a PackedSequence"):
        record(module, inputs(2, 5, 3), mask=np.ones((2, 5), bool))
    with pytest.raises(InputError, match="x: expected numbers"):
        record(module, np.array([["a"]]))
    with pytest.raises(InputError, match="more than .*max_bytes"):
        record(module, inputs(2, 5, 3), max_bytes=100)
