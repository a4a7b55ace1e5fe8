"""``rnnviz.record``: run a Keras model on a batch and keep everything its recurrent layers did."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import tensorflow as tf

import rnnviz
from rnnviz.diagrams.architecture import describe_model
from rnnviz.errors import InputError, UnsupportedModelError
from rnnviz.recording.checks import check_inputs, check_memory
from rnnviz.recording.kinds import equations_for
from rnnviz.recording.replay import check_supported, recurrent_layers, traced_replica
from rnnviz.trace import ModelTrace


def record(model, x, mask=None, *, allow_nonfinite=False, max_bytes=None) -> ModelTrace:
    """Run ``model`` on ``x`` and record the states and gates of every recurrent layer.

    The model is not changed. Traced states equal what Keras's own layers return.

    Parameters
    ----------
    model : keras.Model
        A built Sequential or functional Keras 3 model with SimpleRNN, LSTM, GRU,
        :class:`rnnviz.layers.PeepholeLSTM` or Bidirectional layers anywhere in it.
    x : array-like, or a list of them for a model with several inputs
        A batch, shaped as the model's input (e.g. ``(batch, time, features)``,
        or ``(batch, time)`` token ids for an Embedding model).
    mask : array-like of bool, (batch, time), optional
        Passed to the model as its input mask (False = padding).
    allow_nonfinite : bool
        Record even if ``x`` holds NaN or infinity (otherwise an error).
    max_bytes : int, optional
        Refuse to record if the traces would need more memory than this;
        by default 80% of the memory available now.

    Returns
    -------
    ModelTrace
        One :class:`~rnnviz.LayerTrace` per recurrent layer in model order; two for
        a Bidirectional layer, named ``"<name>/forward"`` and ``"<name>/backward"``.
    """
    if not isinstance(model, keras.Model):
        raise UnsupportedModelError(f"model: expected a Keras 3 model (keras.Model), got {type(model).__name__}")
    if not model.built or not getattr(model, "inputs", None):
        raise UnsupportedModelError(
            f"model: {model.name!r} has no defined inputs; give it a keras.Input (or call it once "
            "on data) so rnnviz knows its input shape. Subclassed models cannot be recorded; "
            "use a Sequential or functional model."
        )
    layers = recurrent_layers(model)
    if not layers:
        kinds = ", ".join(type(layer).__name__ for layer in model.layers) or "no layers"
        raise UnsupportedModelError(
            f"model: {model.name!r} has no recurrent layer to record (it has {kinds}); "
            "expected at least one SimpleRNN, LSTM, GRU, PeepholeLSTM or Bidirectional layer"
        )
    for layer in layers:
        check_supported(layer)

    inputs = check_inputs(model, x, allow_nonfinite=allow_nonfinite)
    check_memory(_trace_bytes(layers, inputs), max_bytes=max_bytes)
    call_kwargs = {}
    if mask is not None:
        call_kwargs["mask"] = _check_mask(mask, inputs)

    with warnings.catch_warnings():
        # Keras warns that a Sequential model "destroys" a mask passed to it; the
        # mask does reach its layers, which is all that matters here.
        warnings.filterwarnings("ignore", message=".*does not support masking.*")
        traces, output = traced_replica(model).run(inputs if len(inputs) > 1 else inputs[0], **call_kwargs)
    first_output = output[0] if isinstance(output, (list, tuple)) else output
    return ModelTrace(
        layers=_unique_names(traces),
        model_name=model.name,
        model_input=inputs[0] if inputs[0].dtype != object else None,
        model_output=np.asarray(first_output),
        versions={"rnnviz": rnnviz.__version__, "keras": keras.__version__, "tensorflow": tf.__version__},
        architecture=[stage.to_dict() for stage in describe_model(model)],
    )


def _trace_bytes(layers, inputs) -> int:
    """An estimate of the bytes the traces of ``layers`` will hold for ``inputs``."""
    batch, steps = inputs[0].shape[0], (inputs[0].shape[1] if inputs[0].ndim > 1 else 1)
    total = 0
    for layer in layers:
        sublayers = (
            [layer.forward_layer, layer.backward_layer] if isinstance(layer, keras.layers.Bidirectional) else [layer]
        )
        for sublayer in sublayers:
            cell = sublayer.cell
            kind = equations_for(cell).kind
            features = cell.kernel.shape[0] if getattr(cell, "kernel", None) is not None else cell.units
            per_step = features + cell.units * (len(kind.states) + len(kind.gates)) + 1
            total += batch * steps * per_step * 4
    return total


def _check_mask(mask, inputs):
    mask = np.asarray(mask)
    expected = inputs[0].shape[:2]
    if mask.shape != expected:
        raise InputError(f"mask: expected shape {expected} (batch, time) to match x, got {mask.shape}")
    if mask.dtype != bool and not np.isin(mask, (0, 1)).all():
        raise InputError("mask: expected booleans (True where the step is real), got other values")
    return mask.astype(bool)


def _unique_names(traces):
    """Suffix the traces of a layer that the model calls more than once: name, name#2, ..."""
    seen = {}
    for trace in traces:
        count = seen.get(trace.name, 0) + 1
        seen[trace.name] = count
        if count > 1:
            trace.name = f"{trace.name}#{count}"
    return traces
