"""The tf.data pipeline of a :class:`~rnnviz.data.windows.Windows`, run stage by stage and recorded with NumPy.

:func:`pipeline_stages` runs the very stages the library chains into ``windows.train``
(``Windows._stages``: from_tensor_slices → window → flat_map → map → shuffle (train only) →
batch → prefetch) and keeps, for each, its call as the lecture writes it, its ``element_spec``
(structure, shapes, dtypes), how many elements it yields and its first elements' values, all
read from the pipeline itself. The record (:class:`PipelineStages`) holds NumPy arrays and plain
values only; it saves to ``.npz`` (JSON metadata, never pickle) and loads without TensorFlow.

TensorFlow is imported inside :func:`pipeline_stages`, not when this module is imported.
"""

from __future__ import annotations


import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnviz.errors import InputError
from rnnviz.files import write_atomically

FORMAT = "rnnviz.pipeline_stages"
VERSION = 1
SCALARS_SHOWN, WINDOWS_SHOWN = 8, 2  # elements kept: the first 8 scalars, the first 2 windows, else the first 1


@dataclass(frozen=True)
class PipelineStage:
    """One stage of the pipeline as it ran.

    name: ``"from_tensor_slices"``, ``"window"``, ``"flat_map"``, ``"map"``, ``"shuffle"``, ``"batch"``, ``"prefetch"``.
    call: the call as the lecture writes it, e.g. ``".window(45, shift=1, drop_remainder=True)"``.
    structure: what one element is: ``"tensor"``, ``"dataset"`` (a window: a dataset of tensors) or ``"pair"``
        (``(inputs, targets)``).
    components: the element's parts: ``("value",)``, ``("window",)`` or ``("inputs", "targets")``.
    shapes: per component, its ``element_spec`` shape (None: a dimension the spec leaves open); for a dataset
        element, the shape of the tensors it holds.
    dtypes: per component, its dtype's name.
    count: how many elements the stage yields.
    elements: the first elements (8 scalars, 2 windows, else 1), each a tuple of arrays, one per component;
        a dataset element is read out into a 1-D array of its values.
    last_shapes: per component, the shape of the last element (a dataset element: ``(its length,)``).
    starts: per element kept, the series index where each of its windows starts (an int array shaped like the
        element's leading dimensions: () for one window, (batch,) for a batch; for a scalar, its own index);
        -1 where the values match no window of the part.
    """

    name: str
    call: str
    structure: str
    components: tuple
    shapes: tuple
    dtypes: tuple
    count: int
    elements: tuple
    last_shapes: tuple
    starts: tuple

    def observed_shapes(self, element: int = 0) -> tuple:
        """Per component, the shape of element ``element`` as read from the pipeline."""
        return tuple(array.shape for array in self.elements[element])


@dataclass(frozen=True)
class PipelineStages:
    """Every stage of one part's pipeline, in order (see :func:`pipeline_stages`).

    part: ``"train"``, ``"validation"`` or ``"test"``.
    stages: tuple of :class:`PipelineStage`.
    settings: the windows' settings, plain values: ``input_steps``, ``horizon``, ``shift``, ``stride``,
        ``batch_size``, ``targets``, ``shuffle_seed``, ``part_range`` (start, stop) in the series, ``series_length``,
        ``mean``, ``std``.
    """

    part: str
    stages: tuple
    settings: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> PipelineStage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"name: no stage {name!r} in the {self.part} pipeline; "
                       f"stages: {[stage.name for stage in self.stages]}")

    @property
    def names(self) -> list:
        return [stage.name for stage in self.stages]

    def save(self, path) -> Path:
        """Write the record to ``path`` whole (``.npz``: arrays plus JSON metadata, no pickle); returns the path."""
        arrays, stages = {}, []
        for s, stage in enumerate(self.stages):
            for e, (element, starts) in enumerate(zip(stage.elements, stage.starts)):
                arrays[f"starts_{s}_{e}"] = np.asarray(starts, dtype=np.int64)
                for c, array in enumerate(element):
                    arrays[f"element_{s}_{e}_{c}"] = np.asarray(array)
            stages.append({"name": stage.name, "call": stage.call, "structure": stage.structure,
                           "components": list(stage.components), "shapes": [list(shape) for shape in stage.shapes],
                           "dtypes": list(stage.dtypes), "count": stage.count, "elements": len(stage.elements),
                           "last_shapes": [list(shape) for shape in stage.last_shapes]})
        meta = {"format": FORMAT, "version": VERSION, "part": self.part, "settings": self.settings, "stages": stages}

        def write(temporary):
            with open(temporary, "wb") as file:
                np.savez(file, meta=np.array(json.dumps(meta)), **arrays)

        return write_atomically(path, write)


def load_pipeline_stages(path) -> PipelineStages:
    """A :class:`PipelineStages` saved by :meth:`PipelineStages.save` (no TensorFlow, no pickle)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT:
                raise InputError(f"path: {str(path)!r} is not a saved pipeline record (format {meta.get('format')!r})")
            if meta.get("version", 0) > VERSION:
                raise InputError(f"path: {str(path)!r} was written by a newer rnnviz (version {meta['version']}); "
                                 f"expected version {VERSION} or older")
            stages = []
            for s, stage in enumerate(meta["stages"]):
                count = len(stage["components"])
                elements = tuple(tuple(data[f"element_{s}_{e}_{c}"] for c in range(count))
                                 for e in range(stage["elements"]))
                starts = tuple(data[f"starts_{s}_{e}"] for e in range(stage["elements"]))
                stages.append(PipelineStage(
                    name=stage["name"], call=stage["call"], structure=stage["structure"],
                    components=tuple(stage["components"]), shapes=tuple(tuple(shape) for shape in stage["shapes"]),
                    dtypes=tuple(stage["dtypes"]), count=int(stage["count"]), elements=elements,
                    last_shapes=tuple(tuple(shape) for shape in stage["last_shapes"]), starts=starts))
    except (OSError, KeyError, ValueError) as error:
        if isinstance(error, InputError):
            raise
        raise InputError(f"path: cannot read a pipeline record from {str(path)!r}: {error}") from None
    return PipelineStages(part=meta["part"], stages=tuple(stages), settings=meta["settings"])


def pipeline_stages(windows, part: str = "train") -> PipelineStages:
    """Run the tf.data pipeline of ``part`` stage by stage and record each stage (see :class:`PipelineStage`).

    windows: a :class:`rnnviz.data.windows.Windows` (from ``make_windows``).
    part: ``"train"`` (with its shuffle, as ``windows.train``), ``"validation"`` or ``"test"``.

    Each stage is read from a fresh chain of the library's own stages up to it, iterated once: the
    first epoch, as a fresh ``windows.train`` gives it (a dataset iterated again reshuffles). With
    ``shuffle_seed=None`` every chain shuffles its own way, so the stages after the shuffle need not
    agree on which window comes first.
    """
    from rnnviz.data.windows import PARTS, Windows

    if not isinstance(windows, Windows):
        raise InputError(f"windows: expected a rnnviz.data.Windows (from make_windows), got {type(windows).__name__}")
    if not (isinstance(part, str) and part in PARTS):
        raise InputError(f"part: expected one of {list(PARTS)}, got {part!r}")
    stages = windows._stages(part, shuffle=part == "train")
    part_range = windows.part_slice(part)
    values = None  # the part's values as the pipeline's first stage yields them: what windows are matched against
    recorded = []
    for k, stage in enumerate(stages):
        dataset = None
        for earlier in stages[: k + 1]:  # a fresh chain: iterating a shared one would show a later epoch's shuffle
            dataset = earlier.apply(dataset)
        if values is None:
            values = np.array(list(dataset.as_numpy_iterator()))
        recorded.append(_recorded(stage, dataset, windows, part, values, part_range.start))
    settings = {"input_steps": windows.input_steps, "horizon": windows.horizon, "shift": windows.shift,
                "stride": windows.stride, "batch_size": windows.batch_size, "targets": windows.targets,
                "shuffle_seed": windows.shuffle_seed, "global_seed": global_seed(),
                "part_range": [part_range.start, part_range.stop],
                "series_length": len(windows.series), "mean": windows.mean, "std": windows.std}
    return PipelineStages(part=part, stages=tuple(recorded), settings=settings)


def global_seed():
    """TensorFlow's global seed as it is now (None: not set), read without drawing from TensorFlow's random
    stream; a shuffle seeded by ``shuffle_seed`` gives another order under another global seed."""
    try:
        from tensorflow.python.eager import context  # the one reader that draws nothing (tf.random.get_seed does)
    except ImportError:  # pragma: no cover - a TensorFlow without it: said as unknown
        return "unknown"
    return context.global_seed()


def _recorded(stage, dataset, windows, part, values, offset) -> PipelineStage:
    """One stage's record, read from ``dataset`` (the chain up to and including it)."""
    import tensorflow as tf

    spec = dataset.element_spec
    if isinstance(spec, tuple):
        structure, components, specs = "pair", ("inputs", "targets"), spec
    elif isinstance(spec, tf.data.DatasetSpec):
        structure, components, specs = "dataset", ("window",), (spec.element_spec,)
    else:
        structure, components, specs = "tensor", ("value",), (spec,)
    if structure == "tensor" and specs[0].shape.rank == 0:
        shown = SCALARS_SHOWN
    else:
        shown = WINDOWS_SHOWN if structure in ("tensor", "dataset") else 1

    def read(element):
        if structure == "dataset":
            return (np.array(list(element.as_numpy_iterator())),)
        return tuple(np.asarray(part) for part in (element if structure == "pair" else (element,)))

    elements = tuple(read(element) for element in dataset.take(shown))
    count = int(dataset.cardinality())
    if count < 0:  # unknown (after flat_map): counted, in the graph
        count = int(dataset.reduce(np.int64(0), lambda n, _: n + 1))
    last = read(next(iter(dataset.skip(count - 1))))
    if structure == "tensor" and not elements[0][0].shape:  # scalars: their own index in the series
        starts = tuple(np.array(offset + k) for k in range(len(elements)))
    else:
        starts = tuple(_window_starts(element[0], windows, part, values, offset) for element in elements)
    return PipelineStage(
        name=stage.name, call=stage.call, structure=structure, components=components,
        shapes=tuple(tuple(spec.shape.as_list()) for spec in specs), dtypes=tuple(spec.dtype.name for spec in specs),
        count=count, elements=elements, last_shapes=tuple(array.shape for array in last), starts=starts)


def _window_starts(first, windows, part, values, offset) -> np.ndarray:
    """The series index where each window in ``first`` (a window ``(length,)``, inputs ``(steps, 1)`` or a batch
    of either) starts, found by matching its first ``input_steps`` values against every window of the part; -1: none."""
    candidates = windows.starts(part) - offset
    steps = windows.input_steps
    inputs = values[candidates[:, None] + windows.stride * np.arange(steps)]  # (windows, input_steps)
    batched = first.ndim == 3 or (first.ndim == 2 and first.shape[-1] != 1)
    rows = first.reshape(len(first), -1)[:, :steps] if batched else first.reshape(1, -1)[:, :steps]
    found = []
    for row in rows:
        match = np.flatnonzero((inputs == row).all(axis=1))
        found.append(windows.starts(part)[match[0]] if len(match) else -1)
    found = np.asarray(found, dtype=np.int64)
    return found if batched else found.reshape(())
