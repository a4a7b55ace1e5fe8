"""What the "order matters" picture shows: sentences word by word, a recurrent layer's state after each word, and
each model's answer for each sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.views.scales import state_scale
from rnnviz.views.values import bad_values


@dataclass(frozen=True)
class OrderView:
    """Sentences (rows) read by several models.

    ``words[row]`` are the row's words; ``states[row]`` (words, units) the recurrent layer's state after each word
    (None: not drawn), all on one colour ``scale``; ``answers[model][row]`` each model's answer for the row.
    """

    rows: tuple  # what each row is ("the slide's sentence", "its words shuffled")
    words: tuple
    answers: dict
    states: tuple | None = None
    scale: object = None
    bad: tuple | None = None
    answer_name: str = "answer"  # what the answers are ("P(a well-formed question)")


def order_view(words, answers: dict, *, rows=None, states=None, answer_name: str = "answer") -> OrderView:
    """An :class:`OrderView` of ``words`` (one sequence of words per row) with ``answers`` (model -> one number per
    row) and, optionally, ``states`` (one (words, units) array per row: a state after each word)."""
    words = tuple(tuple(str(word) for word in row) for row in words)
    if not words or any(not row for row in words):
        raise ValueError(f"words: expected one or more rows of one or more words, got {words!r}")
    rows = tuple(rows) if rows is not None else tuple(f"sentence {k}" for k in range(len(words)))
    if len(rows) != len(words):
        raise ValueError(f"rows: expected one name per row of words ({len(words)}), got {len(rows)}")
    checked = {}
    for model, values in answers.items():
        values = np.asarray(values, float)
        if values.shape != (len(words),):
            raise ValueError(f"answers[{model!r}]: expected one number per row ({len(words)}), got shape {values.shape}")
        checked[model] = values
    if states is None:
        return OrderView(rows, words, checked, answer_name=answer_name)
    states = tuple(np.asarray(values, float) for values in states)
    for row, (values, row_words) in enumerate(zip(states, words)):
        if values.ndim != 2 or len(values) != len(row_words):
            raise ValueError(f"states[{row}]: expected (words, units) = ({len(row_words)}, units), got {values.shape}")
    scale = state_scale(np.concatenate([values.ravel() for values in states]))
    bad = tuple(bad_values(values, name=f"states[{row}]", warn=False) for row, values in enumerate(states))
    return OrderView(rows, words, checked, states, scale, bad, answer_name)
