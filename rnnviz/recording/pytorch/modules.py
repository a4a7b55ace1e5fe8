"""Which PyTorch recurrent modules rnnviz traces, what their traces are called and what each holds as weights.

Supported, exact classes only (a subclass may change the equations): ``nn.RNN`` (tanh
or relu), ``nn.LSTM``, ``nn.GRU`` (any ``num_layers``, ``bidirectional``,
``batch_first``; no ``proj_size``) and the cells ``nn.RNNCell``, ``nn.LSTMCell``,
``nn.GRUCell``.

Trace names: the module's path in ``named_modules`` (the class name in lower case
for the root module itself); ``"<path>/layer<k>"`` with k = 1, 2, ... (as diagrams
number a stack, "layer 1" nearest the input) when ``num_layers > 1``; then
``"/forward"`` and ``"/backward"`` for the two directions; ``"#2"``, ``"#3"``, ...
for the second and later runs of the same module, as for Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from rnnviz.errors import UnsupportedModelError

# class -> cell kind: exact types only.
LAYER_KINDS = {nn.RNN: "simple_rnn", nn.LSTM: "lstm", nn.GRU: "gru"}
CELL_KINDS = {nn.RNNCell: "simple_rnn", nn.LSTMCell: "lstm", nn.GRUCell: "gru"}
SUPPORTED = "nn.RNN (tanh or relu), nn.LSTM, nn.GRU, or nn.RNNCell / nn.LSTMCell / nn.GRUCell called in a loop"
FLOAT_TYPES = (torch.float32, torch.float64)


@dataclass(frozen=True)
class Weights:
    """One layer and direction's weights, in PyTorch's layout (gates stacked in PyTorch's order)."""

    ih: torch.Tensor  # (gates * units, features)
    hh: torch.Tensor  # (gates * units, units)
    b_ih: torch.Tensor | None
    b_hh: torch.Tensor | None


def kind_of(module) -> str:
    """The cell kind of a supported recurrent module."""
    return LAYER_KINDS.get(type(module)) or CELL_KINDS[type(module)]


def activation(module) -> str:
    """The state's activation: ``"tanh"`` or ``"relu"`` (for nn.RNN and nn.RNNCell)."""
    return getattr(module, "nonlinearity", "tanh")


def recurrent_submodules(module) -> list:
    """``[(path, submodule)]`` of every recurrent submodule of ``module`` (itself included), each checked."""
    found = []
    for path, sub in module.named_modules():
        if isinstance(sub, (nn.RNNBase, nn.RNNCellBase)):
            check_supported(path or type(sub).__name__.lower(), sub)
            found.append((path, sub))
    if not found:
        children = ", ".join(sorted({type(child).__name__ for child in module.children()})) or "no submodules"
        raise UnsupportedModelError(
            f"model: the {type(module).__name__} module has no recurrent submodule to record (it has {children}); "
            f"expected its forward to run {SUPPORTED}"
        )
    return found


def check_supported(path: str, module) -> None:
    """Raise :class:`UnsupportedModelError`, naming the module, unless rnnviz can trace it exactly."""
    what = f"module {path!r} ({type(module).__name__})"
    if type(module) not in LAYER_KINDS and type(module) not in CELL_KINDS:
        raise UnsupportedModelError(
            f"model: {what} cannot be recorded: it is a subclass of {type(module).__mro__[1].__name__} that rnnviz "
            f"does not know, and its equations may differ; rnnviz records exactly {SUPPORTED}"
        )
    if getattr(module, "proj_size", 0):
        raise UnsupportedModelError(
            f"model: {what} has proj_size={module.proj_size}: LSTMs with projections are not supported; "
            "rnnviz records nn.LSTM with proj_size=0"
        )
    if module.training and getattr(module, "dropout", 0) and module.num_layers > 1:
        raise UnsupportedModelError(
            f"model: {what} is in training mode with dropout={module.dropout} between its layers, so its layers "
            "see randomly dropped inputs that rnnviz cannot see; call model.eval() before recording"
        )
    dtypes = {parameter.dtype for parameter in module.parameters()}
    if not dtypes <= set(FLOAT_TYPES):
        raise UnsupportedModelError(
            f"model: {what} has parameters of dtype {sorted(map(str, dtypes))}; rnnviz records float32 or float64 "
            "modules (call model.float() first)"
        )


def trace_name(path: str, module, layer: int = 0, direction: int = 0) -> str:
    """The name of one layer and direction's trace (before any ``#k`` for a repeated run)."""
    name = path or type(module).__name__.lower()
    if getattr(module, "num_layers", 1) > 1:
        name += f"/layer{layer + 1}"
    if getattr(module, "bidirectional", False):
        name += "/backward" if direction else "/forward"
    return name


def weights(module, layer: int = 0, direction: int = 0) -> Weights:
    """The weights of one layer and direction of an nn.RNNBase module, or of a cell (``layer``, ``direction`` 0)."""
    if isinstance(module, nn.RNNCellBase):
        suffix = ""
    else:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
    get = lambda name: getattr(module, f"{name}{suffix}", None)  # noqa: E731
    return Weights(get("weight_ih").detach(), get("weight_hh").detach(),
                   None if get("bias_ih") is None else get("bias_ih").detach(),
                   None if get("bias_hh") is None else get("bias_hh").detach())


def keras_weights(kind: str, w: Weights) -> dict:
    """The weights as NumPy arrays, in Keras's layout and names, so every view reads them as for Keras.

    ``kernel`` (features, gates * units), ``recurrent_kernel`` (units, gates * units),
    ``bias``: ``b_ih + b_hh`` (one bias, as Keras's SimpleRNN and LSTM keep), for the GRU
    ``[b_ih, b_hh]`` (2, 3 * units) as Keras's GRU with ``reset_after=True`` keeps it; GRU gate
    blocks reordered from PyTorch's r, z, n to Keras's z, r, h. PyTorch's own tensors
    are kept too, under PyTorch's names (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``).
    """
    order = _keras_gate_order(kind)
    units = w.hh.shape[1]

    def reorder(tensor):
        return torch.cat([tensor[gate * units:(gate + 1) * units] for gate in order])

    out = {"kernel": reorder(w.ih).T, "recurrent_kernel": reorder(w.hh).T}
    if w.b_ih is not None:
        out["bias"] = torch.stack([reorder(w.b_ih), reorder(w.b_hh)]) if kind == "gru" else w.b_ih + w.b_hh
    own = {"weight_ih": w.ih, "weight_hh": w.hh, "bias_ih": w.b_ih, "bias_hh": w.b_hh}
    out.update({name: tensor for name, tensor in own.items() if tensor is not None})
    return {name: tensor.detach().cpu().contiguous().numpy().copy() for name, tensor in out.items()}


def _keras_gate_order(kind: str) -> tuple:
    """For each of Keras's gate blocks, the index of PyTorch's block holding it."""
    return {"simple_rnn": (0,), "lstm": (0, 1, 2, 3), "gru": (1, 0, 2)}[kind]


def config(path: str, module, kind: str, layer: int = 0, direction: int = 0, cell: bool = False) -> dict:
    """The trace's ``config``: the framework, the module's class, and what the views read (activations)."""
    out = {
        "framework": "torch",
        "class_name": type(module).__name__,
        "module": path,
        "units": int(module.hidden_size),
        "input_size": int(module.input_size if layer == 0 else module.hidden_size * (2 if module.bidirectional else 1)),
        "use_bias": bool(module.bias),
        "activation": activation(module),
        "return_sequences": True,
    }
    if kind != "simple_rnn":
        out["recurrent_activation"] = "sigmoid"
    if kind == "gru":
        out["reset_after"] = True  # PyTorch applies r after the hidden matmul: Keras's reset_after=True
    if cell:
        out["called_in_a_loop"] = True
    else:
        out.update(num_layers=int(module.num_layers), layer=layer, bidirectional=bool(module.bidirectional),
                   direction="backward" if direction else "forward", batch_first=bool(module.batch_first))
    return out
