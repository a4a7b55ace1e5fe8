"""The lecture's experiments, trained once and shipped with rnnviz, with every caption's claim checked.

Each lesson (:class:`~rnnviz.lessons.base.Lesson`) is a named experiment: its
data, its models, its training recipe, and its claims, the sentences its
pictures state, each with a function that measures it. ``rnnviz lessons train``
trains a lesson from a seed and ships it (seed 0); the defaults of the gallery,
the scenes and the widgets draw from the shipped models and their measured
results, so they are the same on every machine.

    >>> from rnnviz import lessons
    >>> lessons.model("memory", "LSTM")      # a shipped, trained Keras model
    >>> lessons.data("memory")               # (inputs, targets) held out, NumPy
    >>> lessons.trace("gates", "GRU")        # the shipped GRU's recorded gates, no TensorFlow
    >>> lessons.check()                      # every claim with its numbers
"""

from __future__ import annotations

import importlib

from rnnviz.errors import InputError
from rnnviz.lessons import store
from rnnviz.lessons.base import Claim, ClaimResult, Lesson

LESSONS = {  # name -> module defining LESSON
    "memory": "rnnviz.lessons.memory",
    "gates": "rnnviz.lessons.gates",
    "forecasting": "rnnviz.lessons.forecasting",
    "gradients": "rnnviz.lessons.gradients",
    "encoder_decoder": "rnnviz.lessons.encoder_decoder",
    "order": "rnnviz.lessons.order",
    "agreement": "rnnviz.lessons.agreement",
    "dense_window": "rnnviz.lessons.dense_window",
    "strategies": "rnnviz.lessons.strategies",
}

__all__ = ["LESSONS", "Claim", "ClaimResult", "Lesson", "check", "data", "get", "model", "results", "trace", "train"]


def get(lesson: str) -> Lesson:
    """The :class:`Lesson` named ``lesson``."""
    if lesson not in LESSONS:
        raise InputError(f"lesson: expected one of {', '.join(LESSONS)}, got {lesson!r}")
    return importlib.import_module(LESSONS[lesson]).LESSON


def model(lesson: str, name: str):
    """The shipped trained Keras model ``name`` of ``lesson`` (e.g. ``model("memory", "LSTM")``)."""
    _check_model(get(lesson), name)
    return store.load_model(lesson, name)


def _check_model(found: Lesson, name: str) -> None:
    if name not in found.model_names:
        raise InputError(f"name: lesson {found.name!r} has the models {', '.join(found.model_names)}; got {name!r}")


def data(lesson: str) -> tuple:
    """``(inputs, targets)``: the held-out data the shipped models of ``lesson`` were measured on."""
    held_out = store.load_held_out(get(lesson).name)
    return held_out["held_out_x"], held_out["held_out_y"]


def trace(lesson: str, name: str):
    """The shipped showcase trace of model ``name`` of ``lesson`` (held-out sample 0 first); no TensorFlow needed."""
    found = get(lesson)
    if found.showcase is None:
        raise InputError(f"lesson: {lesson!r} ships no traces; the lessons with traces are "
                         f"{', '.join(name for name in LESSONS if get(name).showcase is not None)}")
    _check_model(found, name)
    return store.load_trace(lesson, name)


def results(lesson: str) -> dict:
    """What ``lesson`` measured on its shipped models (name -> NumPy array); no TensorFlow needed."""
    arrays, _ = store.load_results(get(lesson).name)
    return arrays


def check(lesson: str | None = None, *, remeasure: bool = True) -> list:
    """Every claim of ``lesson`` (default: of every lesson) with its numbers, as :class:`ClaimResult`.

    With ``remeasure`` (the default) the numbers are measured again on the shipped
    models; otherwise the shipped results are checked as they are.
    """
    checked = []
    for name in [lesson] if lesson is not None else list(LESSONS):
        found = get(name)
        if remeasure:
            models = {model_name: store.load_model(name, model_name) for model_name in found.model_names}
            measured = found.measure(models, store.load_held_out(name))
        else:
            measured = results(name)
        checked.extend(found.check(measured))
    return checked


def train(lesson: str, *, seed: int = 0, out=None, progress=print):
    """Train ``lesson`` from scratch with ``seed``, measure and check it; ship it to ``out`` if given.

    Returns ``(models, results, claim results)``.
    """
    found = get(lesson)
    progress(f"lesson {lesson}: making the data (seed {seed})")
    made = found.make_data(seed)
    models = found.train(made, seed, progress)
    progress(f"lesson {lesson}: measuring")
    measured = found.measure(models, made)
    claims = found.check(measured)
    if out is not None:
        import keras
        import tensorflow as tf

        import rnnviz

        meta = {"seed": seed, "recipe": found.recipe, "versions": {
            "rnnviz": rnnviz.__version__, "keras": keras.__version__, "tensorflow": tf.__version__}}
        traces = found.showcase(models, made) if found.showcase is not None else None
        store.save(lesson, models, made, measured, meta=meta, root=out, traces=traces)
    return models, measured, claims
