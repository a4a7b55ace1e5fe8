"""Which layer, sample and step a picture shows: the one place arguments naming them are checked."""

from __future__ import annotations

import re

import numpy as np

from rnnviz.trace import LayerTrace, ModelTrace


def shown_layer_name(name: str, kind: str) -> str:
    """A layer's name as a reader should see it: "" when it only repeats its cell kind (``lstm``, ``gru_2``), for
    the kind's title already says that; else the name (``encoder``)."""
    return "" if re.fullmatch(rf"{re.escape(kind)}(_\d+)?", name) else name


def select_layer(trace, layer=None) -> LayerTrace:
    """The :class:`~rnnviz.LayerTrace` to draw: ``trace`` itself, or ``trace[layer]`` (name or index; default first)."""
    if isinstance(trace, LayerTrace):
        if layer is not None and layer not in (trace.name, 0):
            raise ValueError(f"layer: got {layer!r}, but trace is the single LayerTrace {trace.name!r}")
        return trace
    if not isinstance(trace, ModelTrace):
        raise TypeError(f"trace: expected a ModelTrace or LayerTrace (from rnnviz.record), got {type(trace).__name__}")
    if not trace.layers:
        raise ValueError("trace: this ModelTrace holds no recurrent layer")
    if layer is None:
        return trace.layers[0]
    if isinstance(layer, (int, np.integer)) and not isinstance(layer, bool):
        if not -len(trace.layers) <= layer < len(trace.layers):
            raise ValueError(f"layer: index {layer} out of range for {len(trace.layers)} layers {trace.layer_names}")
        return trace.layers[layer]
    return trace[layer]  # UnknownLayerError (a ValueError and a KeyError) naming the layers there are


def check_sample(layer: LayerTrace, sample) -> int:
    """``sample`` as an index into the layer's batch, or a ValueError naming it."""
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)):
        raise ValueError(f"sample: expected an integer index into the batch, got {sample!r}")
    if not 0 <= sample < layer.batch_size:
        raise ValueError(f"sample: expected an index in 0..{layer.batch_size - 1} (batch of {layer.batch_size}), got {sample}")
    return int(sample)


def check_step(layer: LayerTrace, step) -> int:
    """``step`` (negative counts from the end) as an index in ``[0, steps)`` of the layer, or a ValueError naming it."""
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not -layer.steps <= step < layer.steps:
        raise ValueError(f"step: expected an index in [0, {layer.steps}), got {step!r} (layer {layer.name!r})")
    return int(step) % layer.steps
