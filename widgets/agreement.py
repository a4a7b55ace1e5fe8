"""AgreementExplorer: type a sentence and watch a SimpleRNN and an LSTM believe, word by word, that its verb is
plural; make its clause longer, and see whether their answer still depends on the subject."""

from __future__ import annotations

import ipywidgets
import numpy as np

from rnnviz.kinds import kind_of_class
from rnnviz.palette import PALETTE
from rnnviz.style import figure_title, neutral
from rnnviz.widgets.explorer import Explorer

HEADING = "Is the verb plural? Each model's belief after each word"
PHRASES = ("in the labs", "with the friends", "after the exam", "for weeks", "at the lab", "with the professor",
           "on the projects", "after hours")  # what "+ a phrase" puts into the clause, in turn


class AgreementExplorer(Explorer):
    """The lesson ``agreement``'s two trained models reading a sentence of yours, up to its verb.

    Type or edit the words (separated by spaces; words of the lesson's vocabulary, a word it does not know is
    refused by name): after each word, each model's P(the verb is plural) if the verb came next is drawn (its output
    layer applied to its state; trained only where the verb comes). "+ a phrase" puts one more prepositional phrase
    (:data:`PHRASES`, in turn) at the end of the clause; "the subject's other number too" also draws, dashed, each
    model reading the same sentence with the subject of the other number ("student" for "students"): where the two
    lines of a model meet, its answer no longer depends on the subject.

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
        self.other = ipywidgets.Checkbox(value=False, description="the subject's other number too (dashed)",
                                         layout=ipywidgets.Layout(width="auto"))
        self._read(words)  # every word known, else an error naming it
        self.sentence = ipywidgets.Text(value=" ".join(self.shown), continuous_update=False,
                                        description="sentence", layout=ipywidgets.Layout(width="100%"))
        hint = ipywidgets.HTML(f"Words of the lesson's vocabulary, separated by spaces, up to the verb "
                               f"(known: {', '.join(word for word in agreement.VOCABULARY if word)}):")
        self.longer = ipywidgets.Button(description="+ a phrase", tooltip="one more phrase at the clause's end")
        self._added = 0  # phrases put in so far: the next is PHRASES[_added % len(PHRASES)]
        self._start([[hint], [self.sentence], [self.longer, self.other]], theme=theme, dpi=dpi)
        self.sentence.observe(self._changed, names="value")
        self.other.observe(self._changed, names="value")
        self.longer.on_click(self._lengthen)

    def _read(self, words) -> None:
        agreement = self._agreement
        beliefs = agreement.read(words, self._models)
        self.other_beliefs = {}
        if self.other.value:
            other = agreement.words(agreement.other_subject(agreement.ids(words)))
            self.other_beliefs = agreement.read(other, self._models)
        self.beliefs, self.shown = beliefs, tuple(words)

    def _changed(self, change=None) -> None:
        try:
            self._read(self.sentence.value.split())
        except ValueError as error:  # an unknown word, none, or no subject to change: say so, keep the last view
            self.show_error(error)
            return
        self.clear_error()
        self.refresh()

    def _lengthen(self, button=None) -> None:
        """One more phrase of :data:`PHRASES` at the end of the clause (before a closing comma)."""
        words = self.sentence.value.split()
        phrase = PHRASES[self._added % len(PHRASES)].split()
        self._added += 1
        at = len(words) - 1 if words and words[-1] == "," else len(words)
        self.sentence.value = " ".join(words[:at] + phrase + words[at:])  # observed: read and drawn

    def _draw(self, figure) -> dict:
        ax = figure.add_subplot()
        ax.axhline(0.5, color=neutral("muted"), linestyle="--", linewidth=1.5)
        lines = {name: ax.plot([], [], marker="o", linewidth=2.5, label=name,
                               color=PALETTE[kind_of_class(name)])[0] for name in self._agreement.MODELS}
        other_lines = {name: ax.plot([], [], linestyle="--", linewidth=2, label=f"{name}, other number",
                                     color=PALETTE[kind_of_class(name)])[0] for name in self._agreement.MODELS}
        ax.set_ylim(-0.03, 1.03)
        ax.set_yticks([0, 0.5, 1], ["0\nwas", "0.5", "1\nwere"])
        ax.set_ylabel("P(the verb is plural)")
        figure_title(figure, HEADING, "Each model's output layer on its state after each word (trained only where "
                                      "the verb comes); dashed: the subject's other number")
        artists = {"ax": ax, "lines": lines, "other_lines": other_lines}
        self._move(artists)
        return artists

    def _move(self, artists):
        ax, steps = artists["ax"], np.arange(len(self.shown))
        for name, line in artists["lines"].items():
            line.set_data(steps, self.beliefs[name])
        for name, line in artists["other_lines"].items():
            line.set_data(*((steps, self.other_beliefs[name]) if self.other_beliefs else ([], [])))
            line.set_visible(bool(self.other_beliefs))
            line.set_label(f"{name}, other number" if self.other_beliefs else f"_{name}, other number")
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4, frameon=False)
        ax.set_xticks(steps, self.shown, rotation=90)
        ax.set_xlim(-0.5, max(len(self.shown), 2) - 0.5)
        return None  # the words on the axis changed: draw the whole figure
