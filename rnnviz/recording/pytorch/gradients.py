"""``rnnviz.gradient_profile`` for a ``torch.nn.Module``: ``||d h_T / d h_t||_F`` for every step, one backward pass.

The chosen layer's steps are rebuilt with autograd from its recorded inputs and
initial states on the submodule's own weights (the equations of
:mod:`rnnviz.recording.pytorch.equations`, padded steps carrying the state over);
one backward pass from the last state, batched over the ``units`` rows of the
identity as seeds, gives the whole Jacobian's Frobenius norm at every step, the
same quantity as for Keras (for the LSTM the h-to-h part, ``c_t`` held).
"""

from __future__ import annotations

import numpy as np
import torch

from rnnviz.errors import InputError
from rnnviz.profile import WRT_CHOICES, GradientProfile
from rnnviz.recording.pytorch import modules
from rnnviz.recording.pytorch.equations import equations
from rnnviz.recording.pytorch.record import record
from rnnviz.recording.pytorch.replay import kind_states


def gradient_profile(module, x, layer=None, wrt="state", *, loss=None, y=None, mask=None, allow_nonfinite=False):
    """Measure ``||d h_T / d h_t||_F`` (or ``||d h_T / d x_t||_F``) for every step t of one layer.

    As :func:`rnnviz.recording.gradients.gradient_profile`, for a PyTorch module:
    ``layer`` is a trace name of :func:`rnnviz.record` (default: the first);
    ``h_T`` is the state after the layer's last step (input time 0 for a backward
    direction). ``loss``/``y`` are for Keras models only.
    """
    if wrt not in WRT_CHOICES:
        raise InputError(f"wrt: expected one of {WRT_CHOICES}, got {wrt!r}")
    if loss is not None or y is not None:
        raise InputError("loss and y: the loss gradient is measured for Keras models only; "
                         "for a PyTorch module leave loss and y out")
    if layer is not None and not isinstance(layer, str):
        raise InputError(f"layer: expected a layer name (str), got {type(layer).__name__}")
    trace = record(module, x, mask, allow_nonfinite=allow_nonfinite)
    chosen = trace.layers[0] if layer is None else trace[layer]
    config = chosen.config
    w = modules.weights(module.get_submodule(config["module"]), config.get("layer", 0),
                        int(config.get("direction") == "backward"))
    norms = jacobian_norms(equations(chosen.kind, config["activation"]), w, chosen, wrt=wrt)
    steps_back = np.arange(chosen.steps) if chosen.go_backwards else np.arange(chosen.steps)[::-1]
    return GradientProfile(chosen.name, chosen.kind, wrt, norms, chosen.mask, steps_back)


def jacobian_norms(equations_, w, trace, wrt="state") -> np.ndarray:
    """``||d h_T / d h_t||_F`` (``wrt="input"``: ``/ d x_t``) per sample and step: (batch, time), input time order."""
    order = slice(None, None, -1) if trace.go_backwards else slice(None)
    dtype, device = w.hh.dtype, w.hh.device
    as_tensor = lambda array: torch.as_tensor(np.ascontiguousarray(array), device=device)  # noqa: E731
    inputs = as_tensor(trace.inputs[:, order]).to(dtype)
    mask = as_tensor(trace.mask[:, order])[..., None]
    states = tuple(as_tensor(trace.initial_states[name]).to(dtype) for name in kind_states(trace.kind))
    batch, units = trace.batch_size, trace.units
    with torch.enable_grad():
        inputs.requires_grad_(wrt == "input")
        states = tuple(state.requires_grad_() for state in states)  # so the graph runs through every state
        projected = equations_.project(inputs, w)
        hs = []
        for t in range(trace.steps):
            new, _ = equations_.step(projected[:, t], states, w)
            states = tuple(torch.where(mask[:, t], n, s) for n, s in zip(new, states))
            hs.append(states[0])
        seeds = torch.eye(units, dtype=dtype, device=device)[:, None].expand(units, batch, units)
        wanted = [inputs] if wrt == "input" else hs
        grads = torch.autograd.grad(states[0], wanted, grad_outputs=seeds, is_grads_batched=True, allow_unused=True)
    if wrt == "input":
        squares = grads[0].square().sum(dim=(0, 3))  # (batch, time)
    else:
        squares = torch.stack([g.square().sum(dim=(0, 2)) for g in grads], dim=1)
    return squares.sqrt().cpu().numpy()[:, order]

