"""``rnnviz.record`` for a ``torch.nn.Module``: one forward pass, every recurrent submodule's steps traced."""

from __future__ import annotations

import numpy as np
import torch
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

import rnnviz
from rnnviz.diagrams.architecture import numbered
from rnnviz.errors import InputError, UnsupportedModelError
from rnnviz.recording.pytorch import modules
from rnnviz.recording.pytorch.architecture import architecture, around
from rnnviz.recording.pytorch.capture import run_captured
from rnnviz.recording.pytorch.replay import cell_traces, layer_traces
from rnnviz.trace import ModelTrace


def record(module, x, mask=None, *, allow_nonfinite=False, max_bytes=None) -> ModelTrace:
    """Run ``module`` once on ``x`` and record the states and gates of every recurrent submodule it runs.

    The module is not changed and runs as it is (call ``module.eval()`` first for
    inference). Every recorded state equals what the submodule computed (to 1e-5).

    Parameters
    ----------
    module : torch.nn.Module
        Whose forward runs ``nn.RNN`` (tanh or relu), ``nn.LSTM``, ``nn.GRU``, or
        ``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell`` in a loop of its own.
    x : tensor, array, PackedSequence, or a tuple / list of them
        The argument of ``module(x)``; a tuple or list is spread: ``module(*x)``.
        NumPy arrays become tensors (floats in the module's dtype, integers int64).
    mask : None
        For Keras models only; give a PyTorch module a PackedSequence instead.
    allow_nonfinite : bool
        Record even if ``x`` holds NaN or infinity (otherwise an error).
    max_bytes : int, optional
        Refuse to return traces larger than this (default: 80% of the memory available).

    Returns
    -------
    ModelTrace
        One :class:`~rnnviz.LayerTrace` per layer and direction of each recurrent
        submodule, in the order they ran, named by module path (see
        :mod:`rnnviz.recording.pytorch.modules`); for a cell called in a loop, one
        whose steps are the calls in order (a new one, ``#2``, whenever a call does not
        start from the states the previous call returned). Arrays are (batch, time, ...)
        whatever ``batch_first``. ``versions`` holds ``"framework": "torch"``; each
        trace's ``config`` the submodule's class and path.
    """
    if mask is not None:
        raise InputError("mask: a PyTorch module takes no mask; give it a PackedSequence "
                         "(torch.nn.utils.rnn.pack_padded_sequence) to mark padded steps")
    recurrent = modules.recurrent_submodules(module)
    args = _arguments(module, x, allow_nonfinite)
    everything, output = run_captured(module, recurrent, args, around(module, recurrent))
    calls = [call for call in everything if call.recurrent]
    if not calls:
        names = ", ".join(repr(path or type(sub).__name__.lower()) for path, sub in recurrent)
        raise UnsupportedModelError(
            f"model: the forward of the {type(module).__name__} module ran none of its recurrent submodules "
            f"({names}), so there is nothing to record; expected it to run {modules.SUPPORTED}"
        )
    _check_memory(calls, max_bytes)
    with torch.no_grad():
        traces = _traces(calls)
    model_input = _first_array(args[0]) if args else None
    return ModelTrace(
        layers=traces,
        model_name=type(module).__name__,
        model_input=model_input,
        model_output=_first_array(output),
        versions={"rnnviz": rnnviz.__version__, "torch": torch.__version__, "framework": "torch"},
        architecture=architecture(everything, traces, model_input) if model_input is not None else [],
    )


def _traces(calls) -> list:
    """Every call's traces, in the order the calls ran (a cell's chains where each chain began)."""
    counts = {}

    def name_for(base):
        count = counts[base] = counts.get(base, 0) + 1
        return numbered(base, count)

    ordered, cells = [], {}
    for index, call in enumerate(calls):
        if isinstance(call.module, torch.nn.RNNCellBase):
            cells.setdefault(id(call.module), []).append((index, call))
        else:
            ordered.append((index, layer_traces(call, name_for)))
    for indexed in cells.values():
        ordered.extend((index, [trace]) for index, trace in cell_traces(indexed, name_for))
    ordered.sort(key=lambda pair: pair[0])
    return [trace for _, traces in ordered for trace in traces]


def _arguments(module, x, allow_nonfinite) -> tuple:
    values = tuple(x) if isinstance(x, (tuple, list)) and not isinstance(x, PackedSequence) else (x,)
    dtype = next((p.dtype for p in module.parameters() if p.is_floating_point()), torch.float32)
    device = next((p.device for p in module.parameters()), torch.device("cpu"))
    args = []
    for index, value in enumerate(values):
        label = "x" if len(values) == 1 else f"x[{index}]"
        if isinstance(value, np.ndarray):
            if not (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
                raise InputError(f"{label}: expected numbers, got an array of dtype {value.dtype}")
            value = torch.as_tensor(value, device=device)
            if value.is_floating_point():
                value = value.to(dtype)
        data = value.data if isinstance(value, PackedSequence) else value
        if not allow_nonfinite and isinstance(data, torch.Tensor) and data.is_floating_point():
            bad = ~torch.isfinite(data)
            if bool(bad.any()):
                raise InputError(
                    f"{label}: holds {int(bad.sum())} NaN or infinite values; clean the data, or pass "
                    "allow_nonfinite=True to record them anyway"
                )
        args.append(value)
    return tuple(args)


def _check_memory(calls, max_bytes) -> None:
    """Refuse traces larger than ``max_bytes`` (a rough count: a few (time, batch, units) arrays per layer)."""
    from rnnviz.recording.checks import check_memory

    total = 0
    for call in calls:
        module = call.module
        data = call.input.data if isinstance(call.input, PackedSequence) else call.input
        layers = getattr(module, "num_layers", 1) * (2 if getattr(module, "bidirectional", False) else 1)
        per_position = module.hidden_size * 8 + module.input_size
        total += data.numel() // max(1, data.shape[-1]) * per_position * layers * data.element_size()
    check_memory(total, max_bytes=max_bytes)


def _first_array(value):
    """The first tensor in ``value`` (PackedSequence: padded, batch first) as a NumPy array, or None."""
    if isinstance(value, PackedSequence):
        return pad_packed_sequence(value, batch_first=True)[0].detach().cpu().numpy()
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (tuple, list)) and value:
        return _first_array(value[0])
    return None
