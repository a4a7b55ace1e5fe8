"""``rnnviz.record``: run a Keras model on a batch and keep everything its recurrent layers did."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import tensorflow as tf

import rnnviz
from rnnviz.errors import InputError, UnsupportedModelError
from rnnviz.kinds import CELL_KINDS
from rnnviz.recording.calls import architecture, record_calls, recurrent_parts
from rnnviz.recording.custom import output_size, state_sizes
from rnnviz.recording.checks import check_inputs, check_memory, check_stateful_batch
from rnnviz.recording.kinds import equations_for
from rnnviz.recording.replay import (
    check_supported,
    recurrent_layers,
    traced_cells,
    traced_replica,
    traced_sublayers,
)
from rnnviz.trace import ModelTrace


def record(model, x, mask=None, *, allow_nonfinite=False, max_bytes=None) -> ModelTrace:
    """:func:`rnnviz.record` for a Keras model (:mod:`rnnviz.recording.dispatch`; imports TensorFlow)."""
    if not isinstance(model, keras.Model):
        raise UnsupportedModelError(f"model: expected a Keras 3 model (keras.Model), got {type(model).__name__}")
    if not isinstance(model, keras.Sequential) and not getattr(model, "inputs", None):
        return _record_subclassed(model, x, mask, allow_nonfinite=allow_nonfinite, max_bytes=max_bytes)
    if not model.built or not getattr(model, "inputs", None):
        raise UnsupportedModelError(
            f"model: the Sequential {model.name!r} has no defined inputs; start it with a keras.Input "
            "(or call it once on data) so rnnviz knows its input shape"
        )
    layers = recurrent_layers(model)
    if not layers:
        kinds = ", ".join(type(layer).__name__ for layer in model.layers) or "no layers"
        raise UnsupportedModelError(
            f"model: {model.name!r} has no recurrent layer to record (it has {kinds}); "
            f"expected at least one {', '.join(kind.layer_name for kind in CELL_KINDS.values())} or Bidirectional layer"
        )
    for layer in layers:
        check_supported(layer)

    inputs = check_inputs(model, x, allow_nonfinite=allow_nonfinite)
    check_stateful_batch(layers, inputs[0].shape[0])
    check_memory(_trace_bytes(_cells_of(layers), inputs[0]), max_bytes=max_bytes)
    call_kwargs = {}
    if mask is not None:
        call_kwargs["mask"] = _check_mask(mask, inputs)

    with warnings.catch_warnings():
        # Keras warns that a Sequential model "destroys" a mask passed to it; the
        # mask does reach its layers, which is all that matters here.
        warnings.filterwarnings("ignore", message=".*does not support masking.*")
        replica = traced_replica(model)
        traces, output = replica.run(inputs if len(inputs) > 1 else inputs[0], **call_kwargs)
    first_output = output[0] if isinstance(output, (list, tuple)) else output
    return ModelTrace(
        layers=traces,
        model_name=model.name,
        model_input=inputs[0] if inputs[0].dtype != object else None,
        model_output=np.asarray(first_output),
        versions={"rnnviz": rnnviz.__version__, "keras": keras.__version__, "tensorflow": tf.__version__},
        architecture=replica.architecture,
    )


def _record_subclassed(model, x, mask, *, allow_nonfinite, max_bytes) -> ModelTrace:
    """A subclassed model, recorded through the calls its own ``call`` makes (:mod:`rnnviz.recording.calls`)."""
    if mask is not None:
        raise InputError(f"mask: {model.name!r} is a subclassed model, which computes its masks in its own call; "
                         "record it without mask (give it the input it takes)")
    layers, cells = recurrent_parts(model)
    first = np.asarray(x[0] if isinstance(x, (list, tuple)) else x)
    check_memory(_trace_bytes([*_cells_of(layers), *cells], first), max_bytes=max_bytes)
    traces, inputs, output = record_calls(model, x, allow_nonfinite=allow_nonfinite)
    first_output = output[0] if isinstance(output, (list, tuple)) else output
    return ModelTrace(
        layers=traces,
        model_name=model.name,
        model_input=inputs[0],
        model_output=np.asarray(first_output),
        versions={"rnnviz": rnnviz.__version__, "keras": keras.__version__, "tensorflow": tf.__version__},
        architecture=architecture(traces, inputs[0]) if inputs[0].ndim == 3 else [],
    )


def _cells_of(layers) -> list:
    """The cells whose traces ``layers`` give (both directions, every cell of a stack)."""
    return [cell for layer in layers for sublayer in traced_sublayers(layer) for cell in traced_cells(sublayer)]


def _trace_bytes(cells, x) -> int:
    """An estimate of the bytes the traces of ``cells`` will hold for the input ``x``."""
    # Every position of the input but its features (one step of one slice, under TimeDistributed).
    positions = int(np.prod(x.shape[:-1] if x.ndim > 2 else x.shape))
    total = 0
    for cell in cells:
        equations = equations_for(cell)
        if equations is None:  # a cell of one's own: its output and states (its input counted as its output)
            per_step = 2 * output_size(cell) + sum(state_sizes(cell)) + 1
        else:
            features = cell.kernel.shape[0] if getattr(cell, "kernel", None) is not None else cell.units
            per_step = features + cell.units * (len(equations.kind.states) + len(equations.kind.gates)) + 1
        total += positions * per_step * 4
    return total


def _check_mask(mask, inputs):
    mask = np.asarray(mask)
    expected = inputs[0].shape[:2]
    if mask.shape != expected:
        raise InputError(f"mask: expected shape {expected} (batch, time) to match x, got {mask.shape}")
    if mask.dtype != bool and not np.isin(mask, (0, 1)).all():
        raise InputError("mask: expected booleans (True where the step is real), got other values")
    return mask.astype(bool)
