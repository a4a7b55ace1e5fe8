"""AgreementExplorer: type a sentence and watch a SimpleRNN and an LSTM believe, word by word, that its verb is
plural."""

from __future__ import annotations

import ipywidgets
import numpy as np

from rnnviz.kinds import kind_of_class
from rnnviz.palette import PALETTE
from rnnviz.style import figure_title, neutral
from rnnviz.widgets.explorer import Explorer

HEADING = "Is the verb plural? Each model's belief after each word"


class AgreementExplorer(Explorer):
    """The lesson ``agreement``'s two trained models reading a sentence of yours, up to its verb.

    Type or edit the words (separated by spaces; words of the lesson's vocabulary, a word it does not know is
    refused by name): after each word, each model's P(the verb is plural) if the verb came next is drawn (its output
    layer applied to its state; trained only where the verb comes).

    Parameters
    ----------
    words : sequence of str or str
        The sentence to start from (default: the slide's, "The BA students , which had been working for days on
        end ,").
    theme : "light" or "dark"
    dpi : int

    Needs TensorFlow: the shipped models read the words.
    """

    figsize = (11, 5.2)

    def __init__(self, words=None, *, theme: str = "light", dpi: int = 80):
        super().__init__()
        from rnnviz import lessons
        from rnnviz.lessons import agreement

        self._agreement = agreement
        self._models = {name: lessons.model("agreement", name) for name in agreement.MODELS}  # loaded once
        words = agreement.SHOWN if words is None else (words.split() if isinstance(words, str) else list(words))
        self._read(words)  # every word known, else an error naming it
        self.sentence = ipywidgets.Text(value=" ".join(self.shown), continuous_update=False,
                                        description="sentence", layout=ipywidgets.Layout(width="100%"))
        hint = ipywidgets.HTML(f"Words of the lesson's vocabulary, separated by spaces, up to the verb "
                               f"(known: {', '.join(word for word in agreement.VOCABULARY if word)}):")
        self._start([[hint], [self.sentence]], theme=theme, dpi=dpi)
        self.sentence.observe(self._changed, names="value")

    def _read(self, words) -> None:
        self.beliefs = self._agreement.read(words, self._models)
        self.shown = tuple(words)

    def _changed(self, change) -> None:
        try:
            self._read(change["new"].split())
        except ValueError as error:  # an unknown word, or none: say so, keep the last view
            self.show_error(error)
            return
        self.clear_error()
        self.refresh()

    def _draw(self, figure) -> dict:
        ax = figure.add_subplot()
        ax.axhline(0.5, color=neutral("muted"), linestyle="--", linewidth=1.5)
        lines = {name: ax.plot([], [], marker="o", linewidth=2.5, label=name,
                               color=PALETTE[kind_of_class(name)])[0] for name in self._agreement.MODELS}
        ax.set_ylim(-0.03, 1.03)
        ax.set_yticks([0, 0.5, 1], ["0\nwas", "0.5", "1\nwere"])
        ax.set_ylabel("P(the verb is plural)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        figure_title(figure, HEADING, "The models' output layer applied to their state after each word (trained only "
                                      "where the verb comes)")
        artists = {"ax": ax, "lines": lines}
        self._move(artists)
        return artists

    def _move(self, artists):
        ax, steps = artists["ax"], np.arange(len(self.shown))
        for name, line in artists["lines"].items():
            line.set_data(steps, self.beliefs[name])
        ax.set_xticks(steps, self.shown, rotation=90)
        ax.set_xlim(-0.5, max(len(self.shown), 2) - 0.5)
        return None  # the words on the axis changed: draw the whole figure
