"""rnnviz.gradient_profile on PyTorch modules, against brute-force torch.autograd Jacobians of the module itself."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.autograd.functional import jacobian  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: E402

import rnnviz  # noqa: E402
from rnnviz.errors import InputError, UnknownLayerError  # noqa: E402

RTOL = 1e-4


def single_layer(module, layer=0, direction=0):
    """A one-layer, one-direction module of the same class holding one layer and direction's weights."""
    options = {"nonlinearity": module.nonlinearity} if isinstance(module, nn.RNN) else {}
    size = module.input_size if layer == 0 else module.hidden_size * (2 if module.bidirectional else 1)
    single = type(module)(size, module.hidden_size, batch_first=True, **options).double()
    suffix = f"_l{layer}" + ("_reverse" if direction else "")
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(single, f"{name}_l0").copy_(getattr(module, f"{name}{suffix}"))
    return single


def brute_force_norms(single, x, states, lengths=None):
    """||d h_T / d h_t||_F per sample and step by running ``single`` from each recorded state (c_t held)."""
    batch, steps, _ = x.shape
    norms = np.zeros((batch, steps))
    for b in range(batch):
        end = steps if lengths is None else int(lengths[b])
        for t in range(steps):
            if t >= end - 1:  # the last real step, or padding after it: the state is h_T itself
                norms[b, t] = np.sqrt(single.hidden_size)
                continue
            tail = torch.as_tensor(x[b:b + 1, t + 1:end], dtype=torch.float64)
            h_t = torch.as_tensor(states["h"][b:b + 1, t], dtype=torch.float64)[None]
            c_t = torch.as_tensor(states["c"][b:b + 1, t], dtype=torch.float64)[None] if "c" in states else None

            def h_T(h):
                out = single(tail, (h, c_t) if c_t is not None else h)[1]
                return out[0] if isinstance(out, tuple) else out

            norms[b, t] = torch.linalg.norm(jacobian(h_T, h_t).reshape(single.hidden_size, -1)).item()
    return norms


@pytest.mark.parametrize("cls, options", [(nn.RNN, {}), (nn.RNN, {"nonlinearity": "relu"}), (nn.LSTM, {}),
                                          (nn.GRU, {})], ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_state_norms_equal_brute_force_jacobians(cls, options):
    torch.manual_seed(0)
    module = cls(3, 5, batch_first=True, **options).eval()
    x = np.random.default_rng(1).normal(size=(2, 8, 3)).astype(np.float32)
    profile = rnnviz.gradient_profile(module, torch.from_numpy(x))
    trace = rnnviz.record(module, torch.from_numpy(x))
    expected = brute_force_norms(single_layer(module), x, trace.layers[0].states)
    np.testing.assert_allclose(profile.norms, expected, rtol=RTOL)
    np.testing.assert_array_equal(profile.steps_back, np.arange(8)[::-1])
    assert profile.layer == trace.layers[0].name


def test_a_layer_of_a_stack_and_the_backward_direction():
    torch.manual_seed(0)
    module = nn.GRU(3, 4, num_layers=2, bidirectional=True).eval()
    x = np.random.default_rng(2).normal(size=(7, 2, 3)).astype(np.float32)  # batch_first=False
    trace = rnnviz.record(module, torch.from_numpy(x))
    for name, layer, direction in (("gru/layer2/forward", 1, 0), ("gru/layer1/backward", 0, 1)):
        profile = rnnviz.gradient_profile(module, torch.from_numpy(x), layer=name)
        layer_trace = trace[name]
        flip = (lambda a: a[:, ::-1].copy()) if direction else (lambda a: a)
        expected = brute_force_norms(single_layer(module, layer, direction), flip(layer_trace.inputs),
                                     {"h": flip(layer_trace.states["h"])})
        np.testing.assert_allclose(profile.norms, flip(expected), rtol=RTOL, err_msg=name)
        assert profile.layer == name
    assert list(rnnviz.gradient_profile(module, torch.from_numpy(x), layer="gru/layer1/backward").steps_back) == \
        list(range(7))


def test_padded_steps_carry_the_gradient_unchanged():
    torch.manual_seed(0)
    module = nn.LSTM(3, 4, batch_first=True).eval()
    lengths = torch.tensor([6, 3, 5])
    x = np.random.default_rng(3).normal(size=(3, 6, 3)).astype(np.float32)
    x *= (np.arange(6)[None] < lengths.numpy()[:, None])[..., None]
    packed = pack_padded_sequence(torch.from_numpy(x), lengths, batch_first=True, enforce_sorted=False)
    profile = rnnviz.gradient_profile(module, packed)
    states = rnnviz.record(module, packed).layers[0].states
    expected = brute_force_norms(single_layer(module), x, states, lengths=lengths)
    np.testing.assert_allclose(profile.norms, expected, rtol=RTOL)
    assert not profile.mask[1, 3:].any()


def test_input_norms_equal_brute_force_jacobians():
    torch.manual_seed(0)
    module = nn.LSTM(3, 4, batch_first=True).eval()
    x = np.random.default_rng(4).normal(size=(2, 6, 3))
    profile = rnnviz.gradient_profile(module, torch.from_numpy(x).float(), wrt="input")
    single = single_layer(module)
    for b in range(2):
        full = jacobian(lambda seq: single(seq)[1][0][0, 0], torch.from_numpy(x[b:b + 1]))  # (units, 1, time, features)
        expected = torch.linalg.norm(full[:, 0].permute(1, 0, 2).reshape(6, -1), dim=1).numpy()
        np.testing.assert_allclose(profile.norms[b], expected, rtol=RTOL)


def test_a_cell_in_a_loop():
    class Loop(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.LSTMCell(2, 3)

        def forward(self, x):
            state = None
            for t in range(x.shape[1]):
                state = self.cell(x[:, t], state)
            return state[0]

    torch.manual_seed(0)
    module = Loop()
    x = np.random.default_rng(5).normal(size=(2, 6, 2)).astype(np.float32)
    profile = rnnviz.gradient_profile(module, torch.from_numpy(x), layer="cell")
    lstm = nn.LSTM(2, 3, batch_first=True).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(lstm, f"{name}_l0").copy_(getattr(module.cell, name))
    states = rnnviz.record(module, torch.from_numpy(x))["cell"].states
    np.testing.assert_allclose(profile.norms, brute_force_norms(lstm, x, states), rtol=RTOL)


def test_bad_arguments():
    module = nn.GRU(3, 4)
    x = torch.zeros(5, 2, 3)
    with pytest.raises(InputError, match="wrt: expected one of"):
        rnnviz.gradient_profile(module, x, wrt="weights")
    with pytest.raises(InputError, match="loss and y: the loss gradient is measured for Keras models only"):
        rnnviz.gradient_profile(module, x, loss="mse", y=np.zeros(1))
    with pytest.raises(UnknownLayerError, match="no recurrent layer named 'lstm'"):
        rnnviz.gradient_profile(module, x, layer="lstm")
