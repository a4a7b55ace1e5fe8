"""What a lesson is: data, models, a training recipe, and the claims its captions make."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClaimResult:
    """A claim measured on one set of trained models: whether it holds, and the numbers that say so."""

    lesson: str
    claim: str
    sentence: str
    holds: bool
    numbers: dict

    def numbers_text(self, separator: str = ", ") -> str:
        """The numbers as ``name value`` pairs."""
        return separator.join(f"{key} {_number(value)}" for key, value in self.numbers.items())

    def __str__(self) -> str:
        return f"{'holds' if self.holds else 'FAILS'}  {self.lesson}/{self.claim}: {self.sentence} ({self.numbers_text()})"


@dataclass(frozen=True)
class Claim:
    """A sentence a caption states, and how to measure it on a lesson's results.

    ``measure`` takes the lesson's results (named NumPy arrays, as shipped) and
    returns ``(holds, numbers)``: the numbers that decide it, by name.
    """

    name: str
    sentence: str
    measure: Callable[[dict], tuple]

    def check(self, lesson: str, results: dict) -> ClaimResult:
        holds, numbers = self.measure(results)
        return ClaimResult(lesson, self.name, self.sentence, bool(holds), dict(numbers))


@dataclass(frozen=True)
class Lesson:
    """One of the lecture's experiments.

    Parameters
    ----------
    name : str
        The lesson's name (``"memory"``, ``"gates"``, ...).
    title : str
        What it teaches, in a line.
    model_names : tuple of str
        The models it trains, by name (``"SimpleRNN"``, ``"LSTM"``, ...).
    make_data : callable ``seed -> dict``
        ``"x"``, ``"y"`` (training), ``"held_out_x"``, ``"held_out_y"`` and any other
        held-out arrays the measurements need, as NumPy arrays.
    train : callable ``(data, seed, progress) -> dict``
        Builds and trains every model (name -> Keras model) from ``seed``.
    measure : callable ``(models, data) -> dict``
        The numbers the lesson's pictures draw and its claims check (name -> array).
    claims : tuple of Claim
    recipe : str
        The training recipe in words, for captions and the README.
    showcase : callable ``(models, data) -> dict``, optional
        Traces to ship (name -> :class:`~rnnviz.ModelTrace`): what the lesson's
        gate figures, videos and widgets draw, so they need no TensorFlow.
    tokens : dict of int to str, optional
        What the showcase's token inputs and output classes are, by id (one-hot index):
        how the pictures write them.
    fed_back : dict of str to str, optional
        Inputs of the showcase's models (by name) that, from the second step on, are what
        an output layer (by name) wrote one step before: a decoder writing on its own.
        The pictures name those steps after the output (ŷ₀, ŷ₁, …).
    """

    name: str
    title: str
    model_names: tuple
    make_data: Callable[[int], dict]
    train: Callable
    measure: Callable[[dict, dict], dict]
    claims: tuple
    recipe: str = ""
    showcase: Callable | None = None
    tokens: dict | None = None
    fed_back: dict | None = None

    def check(self, results: dict) -> list:
        """Every claim of this lesson measured on ``results``."""
        return [claim.check(self.name, results) for claim in self.claims]


def keras_layer(class_name: str):
    """The Keras layer class of the cell kind whose layer is called ``class_name`` (``"LSTM"``, ``"PeepholeLSTM"``),
    from :mod:`rnnviz.kinds` (imports Keras)."""
    from rnnviz.kinds import cell_kind, kind_of_class

    kind = kind_of_class(class_name)
    if kind is None:
        raise ValueError(f"class_name: {class_name!r} is not the Keras layer of a cell kind rnnviz knows")
    return cell_kind(kind).layer_class()


def _number(value) -> str:
    value = np.asarray(value)
    if value.ndim == 0:
        return f"{float(value):.3g}" if value.dtype.kind == "f" else str(value.item())
    return "[" + ", ".join(f"{float(v):.3g}" for v in value.ravel()) + "]"
