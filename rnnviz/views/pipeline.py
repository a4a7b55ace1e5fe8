"""What the tf.data pipeline picture shows: one row per stage with its call, its element's shape and a few values.

Built from a :class:`~rnnviz.data.pipeline_stages.PipelineStages` record (NumPy only): every
shape is the stage's ``element_spec``, every number one its first elements held.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.errors import check_int

ROLES = ("value", "inputs", "targets")  # what a piece of text shows: a plain value, inputs or targets
HEADERS = ("tf.data call", "element_spec", "first values")


@dataclass(frozen=True)
class StageRow:
    """One stage as drawn.

    name: the stage's name (``"window"``, ...); call: its call as the lecture writes it.
    shape: the element's shape as pieces ``(text, role)``, drawn a space apart (a pair's inputs and targets).
    note: a few words under the shape: how many elements, what they are.
    values: lines ``(label, numbers, role)``: a label (e.g. ``"t=0"``: where the window starts in the series),
        the first few numbers as text, and what they are.
    """

    name: str
    call: str
    shape: tuple
    note: str
    values: tuple


@dataclass(frozen=True)
class PipelineView:
    """Every stage of one part's pipeline, top to bottom, as text to draw (see :func:`pipeline_view`)."""

    rows: tuple
    part: str
    description: str = ""
    headers: tuple = HEADERS


def pipeline_view(record, values: int = 3) -> PipelineView:
    """A :class:`PipelineView` of ``record`` (from :func:`rnnviz.data.pipeline_stages.pipeline_stages`).

    values: how many numbers of each element to write (1 to 8).
    """
    stages = getattr(record, "stages", None)
    if not stages or not all(hasattr(stage, "elements") for stage in stages):
        raise ValueError(f"record: expected a PipelineStages (from rnnviz.data.pipeline_stages), "
                         f"got {type(record).__name__}")
    check_int("values", values, 1, 8, "how many numbers of each element to write")
    settings = record.settings
    rows = tuple(StageRow(name=stage.name, call=stage.call, shape=_shape_pieces(stage), note=_note(stage, settings),
                          values=_value_lines(stage, values))
                 for stage in stages)
    return PipelineView(rows=rows, part=record.part, description=_description(record))


def shape_text(shape) -> str:
    """A shape as Python writes a tuple: ``()``, ``(45,)``, ``(None, 40, 1)``."""
    shape = tuple(shape)
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(str(size) for size in shape) + ")"


def number_text(value: float) -> str:
    """A value with two decimals and a true minus sign, padded to the width of a negative one."""
    text = f"{value:.2f}".replace("-", "\N{MINUS SIGN}")
    return text if text.startswith("\N{MINUS SIGN}") else " " + text


def call_lines(call: str, limit: int) -> str:
    """``call`` on as few lines as keep each within ``limit`` characters where it can, broken after a ", " or ": "
    outside square brackets, or before a method's "." (lines after the first indented by two)."""
    if len(call) <= limit:
        return call
    places, depth, square = [], 0, 0
    for k, char in enumerate(call):
        if char == "." and k and depth == 0 and call[k - 1] not in " (":
            places.append(k)
        depth += (char in "([") - (char in ")]")
        square += (char == "[") - (char == "]")
        if call[k:k + 2] in (", ", ": ") and not square:
            places.append(k + 2)
    pieces = [call[start:end].strip() for start, end in zip([0, *places], [*places, len(call)])]
    lines = [pieces[0]]
    for piece in pieces[1:]:
        joined = lines[-1] + ("" if piece.startswith(".") else " ") + piece
        if len(joined) + (2 if len(lines) > 1 else 0) <= limit:
            lines[-1] = joined
        else:
            lines.append(piece)
    return "\n  ".join(lines)


def _shape_pieces(stage) -> tuple:
    if stage.structure == "pair":
        inputs, targets = (shape_text(shape) for shape in stage.shapes)
        return ((f"{inputs},", "inputs"), (targets, "targets"))
    text = f"{shape_text(stage.shapes[0])} {stage.dtypes[0]}"
    return ((f"dataset of {text}" if stage.structure == "dataset" else text, "value"),)


def _note(stage, settings) -> str:
    count = stage.count
    length = stage.observed_shapes()[0][0] if stage.structure != "pair" and stage.observed_shapes()[0] else None
    if stage.name == "from_tensor_slices":
        return f"{count} elements, one value each"
    if stage.structure == "dataset":
        return f"{count} windows of {length} values"
    if stage.structure == "tensor":
        return f"{count} windows, each a tensor"
    batched = stage.shapes[0][0] is None or len(stage.shapes[0]) == 3
    if not batched:
        return f"{count} pairs, shuffled" if stage.name == "shuffle" else f"{count} pairs (inputs, targets)"
    last = stage.last_shapes[0][0]
    full = settings.get("batch_size", stage.observed_shapes()[0][0])
    return f"{count} batches of {full}" + (f", last {last}" if last != full else "")


def _value_lines(stage, count: int) -> tuple:
    """Up to two lines of numbers: the first scalars on one line; 2 windows; a pair's inputs and targets; a batch's
    rows 0 and 1."""
    elements, starts = stage.elements, stage.starts
    if stage.structure == "tensor" and not elements[0][0].shape:  # scalars: consecutive elements on one line
        shown = [float(element[0]) for element in elements[:count]]
        return ((f"t={int(starts[0])}…", _numbers(shown, count, more=stage.count > len(shown)), "value"),)
    if stage.structure in ("tensor", "dataset"):  # windows, one per line
        return tuple((_where(start), _numbers(element[0], count), "value") for element, start in zip(elements, starts))
    inputs, targets = elements[0]
    if inputs.ndim == 3:  # a batch: its first rows, where each starts
        rows = starts[0].reshape(-1)
        return tuple((f"[{row}] {_where(rows[row])}", _numbers(inputs[row], count), "inputs")
                     for row in range(min(2, len(inputs))))
    return ((_where(starts[0]), _numbers(inputs, count), "inputs"),
            ("targets", _numbers(targets, count), "targets"))


def _where(start) -> str:
    start = int(start)
    return f"t={start}" if start >= 0 else "t=?"


def _numbers(values, count: int, *, more: bool | None = None) -> str:
    values = np.asarray(values, dtype=float).reshape(-1)
    text = " ".join(number_text(value) for value in values[:count])
    return text + (" …" if (len(values) > count if more is None else more) else "")


def _description(record) -> str:
    settings = record.settings
    start, stop = settings.get("part_range", (0, 0))
    ahead = (f"the next {settings.get('horizon')}" +
             ("" if settings.get("targets", "vector") == "vector" else " at every step"))
    text = (f"The {record.part} part, series[{start}:{stop}] normalised: {settings.get('input_steps')} inputs → "
            f"{ahead}. Shapes from element_spec, numbers from the first elements (t: where a window starts)")
    if any(stage.name == "shuffle" for stage in record.stages):
        seed, global_seed = settings.get("shuffle_seed"), settings.get("global_seed")
        text += f"; shuffled {'with seed ' + str(seed) if seed is not None else 'without a seed'}"
        text += (f" (TensorFlow's global seed {global_seed})" if global_seed is not None else
                 " (no global seed set)") + ", first epoch"
    return text
