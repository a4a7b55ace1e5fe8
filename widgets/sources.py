"""What an explorer can be given: a Keras model or a PyTorch module with its input, a recorded trace, or a trace file."""

from __future__ import annotations

from os import PathLike

from rnnviz.recording.pytorch import is_torch_module
from rnnviz.trace import ModelTrace, load


DEFAULT_LESSON = ("gates", "LSTM")  # what an explorer shows when given nothing: a trained LSTM that gates


def default_caption() -> str:
    """What an explorer given nothing shows, and what its gates do (HTML)."""
    from rnnviz.lessons.gates import shown_task

    return (f"The lesson <i>gates</i>: an LSTM of one unit {shown_task()}, sample 0. Its input gate opens at each "
            "marker, its forget gate erases the old number at the new marker and holds the number in between; its cell "
            "state c is the answer.")


def trace_from(source, x=None) -> ModelTrace:
    """A :class:`~rnnviz.ModelTrace` from ``source``: a trace, a path to a saved one, or a Keras model (or a PyTorch
    module) recorded on ``x``.

    None: the shipped trace of the lesson ``gates``' LSTM (trained to say the last marked number; its gates
    open, erase and hold), which needs no TensorFlow.
    """
    if source is None:
        _no_input(x, "the lesson 'gates'")
        from rnnviz import lessons

        return lessons.trace(*DEFAULT_LESSON)
    if isinstance(source, ModelTrace):
        _no_input(x, "a trace")
        return source
    if isinstance(source, (str, PathLike)):
        _no_input(x, "a trace file")
        return load(source)
    if (hasattr(source, "layers") and callable(source)) or is_torch_module(source):  # a Keras model, a PyTorch module
        if x is None:
            raise ValueError("x: a model needs its input to be recorded on; expected an array (batch, time, features)")
        from rnnviz.recording.dispatch import record

        return record(source, x)
    raise TypeError(
        f"source: expected a ModelTrace, a path to a saved trace (.npz), or a Keras model or PyTorch module with x; "
        f"got {type(source).__name__}"
    )


def _no_input(x, what: str) -> None:
    if x is not None:
        raise ValueError(f"x: only a model is given an input; the source is {what}, which holds its own")
