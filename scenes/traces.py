"""The data the scenes animate: a saved file checked for the right kind, or a shipped default.

Every default is a real Keras model's record: the lessons' shipped traces and
profiles, or small untrained models recorded once by ``scenes/make_default_data.py``
(from :mod:`rnnviz.recording.experiments`, the code the gallery uses) and shipped
in ``scenes/data/``. Reading them imports no TensorFlow.
"""

from __future__ import annotations

import os
from pathlib import Path

from rnnviz.errors import InputError
from rnnviz.kinds import CELL_KINDS


def load_trace(path, *, kinds=None, what: str = "this scene"):
    """``rnnviz.load(path)``, checked: the file exists, holds a ModelTrace, and its first layer is one of ``kinds``."""
    import rnnviz

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--trace: no file {str(path)!r}; expected a trace saved by rnnviz (.npz)")
    try:
        trace = rnnviz.load(path)
    except Exception as exc:  # a broken or foreign file: say which, and why
        raise InputError(f"--trace: {str(path)!r} is not an rnnviz trace ({exc})") from exc
    if not hasattr(trace, "layers"):
        raise InputError(f"--trace: {str(path)!r} holds a {type(trace).__name__}; expected a ModelTrace (rnnviz.record)")
    check_kind(trace, kinds, source=f"--trace {str(path)!r}", what=what)
    return trace


ENVIRONMENT = "RNNVIZ_TRACE"  # how ``manim scenes/<file>.py`` is given a trace file


def trace_from_environment(*, kinds=None, what: str = "this scene"):
    """The trace named by ``RNNVIZ_TRACE``, or None."""
    path = os.environ.get(ENVIRONMENT)
    return load_trace(path, kinds=kinds, what=what) if path else None


def profiles_from_environment():
    """``[the gradient profile named by RNNVIZ_TRACE]``, or None."""
    path = os.environ.get(ENVIRONMENT)
    return [load_profile(path)] if path else None


def check_kind(trace, kinds, *, source: str, what: str):
    """InputError unless the trace's first recurrent layer is one of ``kinds`` (None: any)."""
    if not trace.layers:
        raise InputError(f"{source}: the trace has no recurrent layer")
    kind = trace.layers[0].kind
    if kinds is not None and kind not in kinds:
        wanted = " or ".join(CELL_KINDS[k].title for k in kinds)
        raise InputError(f"{source}: holds a {CELL_KINDS[kind].title} trace (layer {trace.layers[0].name!r}); "
                         f"{what} needs a layer of type {wanted}")


DATA = Path(__file__).parent / "data"
UNROLLING_TRACES = {name: DATA / f"unrolling_{name}.npz" for name in ("neuron", "layer", "deep")}
ARCHITECTURE_TRACES = "architecture_{}.npz"  # in DATA, for each name of experiments.ARCHITECTURES
WINDOWING_FILE = DATA / "windowing.npz"
PIPELINE_FILE = DATA / "pipeline.npz"  # the pipeline scene's record of the gallery's windows (make_default_data.py)
UNROLLING = {"steps": 6, "seed": 0, "scale": 1.5}  # the shipped stacks: untrained SimpleRNNs, weights x 1.5
WINDOWING = {"input_steps": 24, "horizon": 6, "shift": 5, "batch_size": 6, "series_seed": 0}
WINDOWING_FORMAT, WINDOWING_FORMAT_VERSION = "rnnviz.windowing_view", 1


def default_gate_trace(kind: str) -> tuple:
    """``(trace, what it shows)``: the lesson ``gates``' trained cell of ``kind`` (shipped; sample 0 writes, holds,
    overwrites and holds), or for a kind the lesson has no model of, an untrained one recorded now (TensorFlow)."""
    from rnnviz.lessons.gates import LAYER_NAMES, shown_task

    models = {layer: name for name, layer in LAYER_NAMES.items()}  # kind -> the lesson's model of it
    if kind not in models:
        from rnnviz.recording.experiments import untrained_cell_trace

        return untrained_cell_trace(kind), "untrained (weights x 2.5), on two pulses"
    from rnnviz import lessons

    return lessons.trace("gates", models[kind]), shown_task()


def default_stack_traces() -> dict:
    """For the unrolling scene: ``{"neuron": SimpleRNN(1), "layer": SimpleRNN(3), "deep": two SimpleRNN(3) stacked}``,
    untrained (seeded, weights x 1.5), recorded on two pulses over 6 steps; shipped."""
    import rnnviz

    return {name: rnnviz.load(path) for name, path in UNROLLING_TRACES.items()}


def default_architecture_traces(seed: int = 0) -> dict:
    """For the architectures scene: ``{caption: trace}`` of the gallery's five models: the encoder–decoder the
    lesson's trained one, the others small untrained ones (seed 0: shipped here, no TensorFlow; another seed:
    recorded now)."""
    import rnnviz
    from rnnviz import lessons
    from rnnviz.recording.experiments import ARCHITECTURES, TRAINED_ARCHITECTURES, architecture_traces

    untrained = ({name: rnnviz.load(DATA / ARCHITECTURE_TRACES.format(name)) for name in ARCHITECTURES
                  if name not in TRAINED_ARCHITECTURES} if seed == 0 else architecture_traces(seed))
    return {caption: lessons.trace(*TRAINED_ARCHITECTURES[name]) if name in TRAINED_ARCHITECTURES else untrained[name]
            for name, caption in ARCHITECTURES.items()}


def default_windowing(count: int = WINDOWING["batch_size"]) -> tuple:
    """``(view, settings)`` for the windowing scene: the first training batch of the seeded synthetic series.

    ``settings`` has ``input_steps``, ``horizon`` and ``shift``. For ``count`` windows per batch as
    shipped, the windows tf.data made are read from ``scenes/data`` (no TensorFlow); for another
    ``count`` the pipeline runs now.
    """
    from types import SimpleNamespace

    if count == WINDOWING["batch_size"]:
        view, meta = load_windowing_view(WINDOWING_FILE)
        return view, SimpleNamespace(**{key: meta[key] for key in ("input_steps", "horizon", "shift")})
    from rnnviz.views.windowing import windowing_view

    windows = default_windows(count)
    return windowing_view(windows, count=count), windows


def default_windows(batch_size: int = WINDOWING["batch_size"]):
    """The :func:`rnnviz.data.make_windows` of the windowing scene's default (the pipeline runs when read)."""
    from rnnviz.data import make_windows, synthetic_series

    settings = {key: value for key, value in WINDOWING.items() if key not in ("series_seed", "batch_size")}
    return make_windows(synthetic_series(seed=WINDOWING["series_seed"]), batch_size=batch_size, **settings)


def save_windowing_view(view, path, **meta) -> Path:
    """Write a :class:`~rnnviz.views.windowing.WindowingView` (and ``meta``, plain values) to an ``.npz``."""
    from rnnviz.archive import write_archive

    fields = {"boundaries": list(view.boundaries), "stride": view.stride, "rows": list(view.rows),
              "description": view.description}
    arrays = {"series": view.series, "starts": view.starts, "inputs": view.inputs, "targets": view.targets}
    return write_archive(path, kind=WINDOWING_FORMAT, version=WINDOWING_FORMAT_VERSION,
                         meta={**meta, "view": fields}, arrays=arrays)


def load_windowing_view(path) -> tuple:
    """``(WindowingView, meta)`` from :func:`save_windowing_view`'s file."""
    from rnnviz.archive import read_archive
    from rnnviz.views.windowing import WindowingView

    meta, arrays = read_archive(path, kind=WINDOWING_FORMAT, max_version=WINDOWING_FORMAT_VERSION)
    view = WindowingView(**arrays, **meta.pop("view"))
    return view, meta


def load_profile(path):
    """``rnnviz.profile.load_profile(path)``, checked: the file exists and holds a GradientProfile."""
    from rnnviz.profile import load_profile as read

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--trace: no file {str(path)!r}; expected a gradient profile saved by rnnviz (.npz)")
    try:
        return read(path)
    except Exception as exc:
        raise InputError(f"--trace: {str(path)!r} is not a gradient profile; the gradients scene needs one saved "
                         f"from rnnviz.gradient_profile(...).save(path) ({exc})") from exc
