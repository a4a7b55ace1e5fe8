"""The shipped lessons on disk: each lesson's trained models, held-out data and measured results.

A lesson's folder holds ``<model name>.keras`` for each model (Keras's own zip
format: JSON config and HDF5 weights, no pickle), ``held_out.npz`` (the inputs,
targets and other arrays the measurements use) and ``results.npz`` (what the
lesson measured on those models, with the seed and versions that made them).
Reading the results needs no TensorFlow.
"""

from __future__ import annotations

import os
from pathlib import Path

from rnnviz.archive import read_archive, write_archive
from rnnviz.errors import InputError

SHIPPED = Path(__file__).parent / "shipped"
ROOT_VARIABLE = "RNNVIZ_LESSONS"  # if set, lessons are read from this folder instead of the shipped ones
RESULTS_FORMAT = "rnnviz.LessonResults"
HELD_OUT_FORMAT = "rnnviz.LessonData"
FORMAT_VERSION = 1


def lesson_dir(lesson: str, root=None) -> Path:
    """The folder of ``lesson`` under ``root`` (default: $RNNVIZ_LESSONS, else the shipped lessons)."""
    return Path(root or os.environ.get(ROOT_VARIABLE) or SHIPPED) / lesson


def save(lesson: str, models: dict, data: dict, results: dict, *, meta: dict, root, traces=None) -> list:
    """Write a trained lesson under ``root/<lesson>`` (and its showcase ``traces``, name -> ModelTrace);
    return the paths written."""
    folder = lesson_dir(lesson, root)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in models.items():
        path = folder / f"{name}.keras"
        model.save(path)
        written.append(path)
    for name, trace in (traces or {}).items():
        written.append(trace.save(folder / f"{name}.trace.npz"))
    held_out = {key: value for key, value in data.items() if key.startswith(("held_out_", "training_"))}
    written.append(write_archive(folder / "held_out.npz", kind=HELD_OUT_FORMAT, version=FORMAT_VERSION,
                                 meta={"lesson": lesson}, arrays=held_out))
    written.append(write_archive(folder / "results.npz", kind=RESULTS_FORMAT, version=FORMAT_VERSION,
                                 meta={"lesson": lesson, **meta}, arrays=results))
    for path in written:
        path.chmod(0o644)  # package data: readable by everyone who installs it
    return written


def load_results(lesson: str, root=None) -> tuple:
    """``(results, meta)`` of a shipped lesson: its measured arrays by name, and how they were made."""
    meta, arrays = read_archive(_existing(lesson, "results.npz", root), kind=RESULTS_FORMAT, max_version=FORMAT_VERSION)
    return arrays, meta


def load_held_out(lesson: str, root=None) -> dict:
    """The held-out arrays of a shipped lesson (``held_out_x``, ``held_out_y``, ...)."""
    _, arrays = read_archive(_existing(lesson, "held_out.npz", root), kind=HELD_OUT_FORMAT, max_version=FORMAT_VERSION)
    return arrays


def load_trace(lesson: str, name: str, root=None):
    """A shipped showcase trace (:class:`~rnnviz.ModelTrace`); no TensorFlow needed."""
    from rnnviz.trace import load

    return load(_existing(lesson, f"{name}.trace.npz", root))


def load_model(lesson: str, name: str, root=None):
    """A shipped trained Keras model."""
    import keras

    import rnnviz.forecasting.layers  # noqa: F401  (registers the forecasters' ChangeFrom and AddBack for loading)
    import rnnviz.layers  # noqa: F401  (registers PeepholeLSTM for loading)

    return keras.saving.load_model(_existing(lesson, f"{name}.keras", root), compile=False, safe_mode=True)


def _existing(lesson: str, file: str, root) -> Path:
    path = lesson_dir(lesson, root) / file
    if not path.exists():
        raise InputError(
            f"lesson {lesson!r}: {file} is not in {path.parent}; the lesson has not been trained and shipped "
            f"(make it with `rnnviz lessons train {lesson} --out {path.parent.parent}`)"
        )
    return path
