"""Checks on what is handed to the recorder, each failing with an error that names the argument.

Framework-free (the PyTorch recorder uses them too); only :func:`check_stateful_batch` imports Keras."""

from __future__ import annotations

import os

import numpy as np

from rnnviz.errors import InputError


def check_inputs(model, x, *, allow_nonfinite=False) -> list:
    """Return ``x`` as a list of NumPy arrays, one per model input, after checking their shapes and values."""
    specs = list(model.inputs)
    several = isinstance(x, (list, tuple)) and (len(specs) > 1 or len(x) == 1)
    arrays = list(x) if several else [x]
    if len(arrays) != len(specs):
        raise InputError(f"x: the model has {len(specs)} inputs, so x must be a list of {len(specs)} arrays")
    checked = []
    for index, (array, spec) in enumerate(zip(arrays, specs)):
        label = "x" if len(specs) == 1 else f"x[{index}]"
        checked.append(_check_one(label, array, spec, allow_nonfinite))
    batches = {array.shape[0] for array in checked}
    if len(batches) > 1:
        raise InputError(f"x: all inputs need the same batch size, got {sorted(batches)}")
    return checked


def _check_one(label, array, spec, allow_nonfinite):
    array = as_array(label, array)
    expected = tuple(spec.shape)
    wanted = "(batch, time, features)" if len(expected) == 3 else "(batch, time)" if len(expected) == 2 else ""
    if array.ndim != len(expected):
        hint = " For a single sequence, add a batch axis: x[None]." if array.ndim == len(expected) - 1 else ""
        raise InputError(
            f"{label}: expected a {len(expected)}-D array {wanted} for the model's input of shape "
            f"{_shape(expected)}, got shape {array.shape}.{hint}"
        )
    # The batch axis is free: Keras runs a model on any batch, also one whose input
    # shape kept the batch size it was built with (a Sequential built by fit()).
    for axis, (size, want) in enumerate(zip(array.shape, expected)):
        if axis > 0 and want is not None and size != want:
            what = {0: "batch size", 1: "number of steps", 2: "number of features"}.get(axis, f"size of axis {axis}")
            raise InputError(
                f"{label}: the model's input has shape {_shape(expected)}, so the {what} must be {want}; "
                f"got shape {array.shape}"
            )
    if array.shape[0] == 0 or (array.ndim > 1 and array.shape[1] == 0):
        raise InputError(f"{label}: needs at least one sample and one step, got shape {array.shape}")
    if spec.dtype == "string":  # a model that reads text (TextVectorization first): the strings it takes
        if not all(isinstance(item, (str, bytes)) for item in array.ravel()):
            raise InputError(f"{label}: the model reads text, so expected strings, got an array of dtype {array.dtype}")
        return array.astype(object)
    return as_numbers(label, array, allow_nonfinite)


def as_array(label: str, value) -> np.ndarray:
    """``value`` as a NumPy array, else an InputError naming ``label``."""
    try:
        return np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise InputError(f"{label}: cannot be turned into an array ({exc})") from exc


def as_numbers(label: str, array: np.ndarray, allow_nonfinite: bool) -> np.ndarray:
    """``array`` checked to hold numbers, finite unless ``allow_nonfinite``; floats as float32."""
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise InputError(f"{label}: expected numbers, got an array of dtype {array.dtype}")
    check_finite(label, array, allow_nonfinite)
    if np.issubdtype(array.dtype, np.floating) and array.dtype != np.float32:
        array = array.astype(np.float32)
    return array


def check_finite(label: str, array: np.ndarray, allow_nonfinite: bool) -> None:
    """Raise unless the floats of ``array`` are all finite (or ``allow_nonfinite``)."""
    if np.issubdtype(array.dtype, np.floating) and not allow_nonfinite:
        bad = ~np.isfinite(array)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise InputError(
                f"{label}: holds {int(bad.sum())} NaN or infinite values (first at index {where}); "
                "clean the data, or pass allow_nonfinite=True to record them anyway"
            )


def check_stateful_batch(layers, batch: int) -> None:
    """Raise unless ``batch`` is the batch size every stateful layer among ``layers`` keeps states for."""
    import keras

    from rnnviz.recording.replay import traced_sublayers

    for layer in layers:
        for sublayer in traced_sublayers(layer):
            states = keras.tree.flatten(sublayer.states) if sublayer.stateful and sublayer.states is not None else None
            if states and states[0] is not None and int(states[0].shape[0]) != batch:
                raise InputError(
                    f"x: layer {layer.name!r} is stateful and keeps states for a batch of "
                    f"{int(states[0].shape[0])} samples, so x must hold {int(states[0].shape[0])} samples; got {batch}"
                )


def check_memory(needed_bytes: int, *, max_bytes=None) -> None:
    """Raise before recording if the traces would not fit in ``max_bytes`` (default: 80% of free memory)."""
    limit = max_bytes if max_bytes is not None else int(0.8 * available_memory())
    if needed_bytes > limit:
        source = "max_bytes" if max_bytes is not None else "80% of the memory available now"
        raise InputError(
            f"x: recording this batch would hold about {_gib(needed_bytes)} of traces, more than "
            f"{_gib(limit)} ({source}); record fewer samples (x[:n]) or fewer steps"
        )


def available_memory() -> int:
    """Bytes of memory available to a new allocation, from /proc/meminfo where it exists."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _gib(size: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _shape(shape) -> str:
    return "(" + ", ".join("None" if size is None else str(size) for size in shape) + ")"
