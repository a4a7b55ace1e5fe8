"""Subject–verb agreement over a long clause ("The BA students, which …, was"): what a SimpleRNN and an LSTM believe
the verb's number is, word by word, and how often they are right as the clause grows.

The headings state the lesson's claims ``agreement/the_slide_sentence``, ``agreement/a_unit_tracks_the_number`` and
``agreement/both_keep_the_number``.

The numbers are the lesson ``agreement``'s (:mod:`rnnviz.lessons.agreement`), shipped: no TensorFlow.
"""

from __future__ import annotations

import numpy as np

from rnnviz.errors import InputError
from rnnviz.figures.text_heatmap import TextHeatmapDisplay
from rnnviz.lessons.agreement import MEASURED
from rnnviz.style import color, figure_title, neutral, new_or_given_axes, new_or_given_panels

SENTENCE_HEADING = "\u201cThe BA students \u2026 was\u201d: after the clause, both models still say \u201cwere\u201d"
ACCURACY_HEADING = f"The verb's number against the clause's length: neither model loses it up to {MEASURED[-1]} words"
BELIEF = "P(plural)"  # what the belief rows show, on a 0–1 scale
CHANCE = 0.5  # half the held-out sentences have a plural subject
FONT, LABEL_FONT = "large", "medium"  # the sentence's words; the rows' labels


class AgreementSentenceDisplay:
    """The slide's sentence as text, once per row: each model's belief that the verb is plural after each word
    (0–1), and one LSTM unit that follows the subject's number (signed).

    Build it with :meth:`from_lesson`, then call :meth:`plot`.

    Parameters
    ----------
    tokens : sequence of str
        The words read, up to the verb.
    beliefs : dict of str to ndarray, (words,)
        Model name -> P(the verb is plural) after each word.
    unit_values : ndarray, (words,)
        The number-tracking unit's value after each word.
    unit, state : int, str
        Which unit, of which state (``"c"`` or ``"h"``).
    verb : str
        The verb as the slide has it.
    description : str
    """

    def __init__(self, *, tokens, beliefs: dict, unit_values, unit: int, state: str = "c", verb: str = "was",
                 description: str = ""):
        self.tokens = [str(token) for token in tokens]
        self.beliefs = {name: np.asarray(values, float) for name, values in beliefs.items()}
        self.unit_values = np.asarray(unit_values, float)
        for name, values in {**self.beliefs, "unit_values": self.unit_values}.items():
            if values.shape != (len(self.tokens),):
                raise InputError(f"{name}: expected one value per word, shape ({len(self.tokens)},), "
                                 f"got {values.shape}")
        self.unit, self.state, self.verb, self.description = int(unit), state, verb, description

    @classmethod
    def from_lesson(cls, results=None, trace=None):
        """The slide's sentence as the lesson ``agreement`` measured it (default: shipped; no TensorFlow): the
        beliefs from its results, the unit's values from the LSTM's shipped trace of the sentence."""
        from rnnviz import lessons
        from rnnviz.lessons import agreement

        results = lessons.results("agreement") if results is None else results
        trace = lessons.trace("agreement", "LSTM") if trace is None else trace
        unit = int(results["tracking_unit"])
        correlation = float(results["unit_correlations"][unit])
        if not np.array_equal(agreement.ids(agreement.SHOWN), results["shown_ids"]):
            raise InputError("results: they were measured on another sentence than the slide's")
        description = (f"After each word, each model's output (its Dense layer on its state): P(the verb is plural) if "
                       f"the verb came next; trained only after the last word. Last row: unit {unit} of the LSTM's "
                       f"cell state c, the unit whose c after the last word correlates best with the subject's number "
                       f"over {len(results['probability_LSTM'])} held-out sentences ({correlation:+.2f})")
        return cls(tokens=agreement.SHOWN,
                   beliefs={name: results[f"shown_belief_{name}"] for name in agreement.MODELS},
                   unit_values=trace.layers[0].states["c"][0, :, unit], unit=unit, state="c",
                   verb=agreement.SHOWN_VERB, description=description)

    def plot(self, ax=None, *, title=True):
        """One row per belief and one for the unit (given ``ax``: that many axes, top to bottom).

        Keeps ``figure_``, ``axes_`` (row name -> Axes), ``rows_`` (row name -> its drawn
        :class:`TextHeatmapDisplay`, whose ``texts_`` are the coloured words), ``labels_`` (row name -> its label) and
        ``verdicts_`` (model name -> the label saying its belief at the verb and so its verb).
        """
        names = [*self.beliefs, "unit"]
        self.figure_, axes = new_or_given_panels(ax, len(names), what="one per row", figsize=(13, 6),
                                                 nrows=len(names))
        self.axes_ = dict(zip(names, axes))
        self.rows_, self.labels_, self.verdicts_ = {}, {}, {}
        for name, values in self.beliefs.items():
            verb = "were" if values[-1] > 0.5 else "was"
            self.rows_[name] = TextHeatmapDisplay(tokens=self.tokens, values=values, limits=(0.0, 1.0),
                                                  activation=BELIEF, kind=_kind(name)).plot(
                self.axes_[name], title=False, fontsize=FONT, colorbar_kw={"label": BELIEF, "ticks": [0, 0.5, 1]})
            self.labels_[name] = self.verdicts_[name] = self._label(
                self.axes_[name], f"{name}: {BELIEF} after each word; at the verb {values[-1]:.2f}: "
                                  f"\u201c{verb}\u201d", color(_kind(name)))
        limit = float(np.max(np.abs(self.unit_values))) or 1.0
        self.rows_["unit"] = TextHeatmapDisplay(tokens=self.tokens, values=self.unit_values, limits=(-limit, limit),
                                                activation=self.state, unit=self.unit, kind="lstm").plot(
            self.axes_["unit"], title=False, fontsize=FONT, colorbar_kw={"label": f"{self.state}[{self.unit}]"})
        self.labels_["unit"] = self._label(self.axes_["unit"], f"LSTM: unit {self.unit} of its cell state "
                                                               f"{self.state}, after each word", color("lstm"))
        if title:
            figure_title(self.figure_, SENTENCE_HEADING, self.description)
        return self

    @staticmethod
    def _label(ax, text, colour):
        return ax.annotate(text, (0, 1), xycoords="axes fraction", xytext=(0, 4), textcoords="offset points",
                           va="bottom", fontsize=LABEL_FONT, color=colour)


def _kind(name: str) -> str:
    from rnnviz.kinds import kind_of_class

    return kind_of_class(name)


class AgreementAccuracyDisplay:
    """Each model's accuracy on held-out sentences against the clause's length (with the count per length), chance
    marked.

    Parameters
    ----------
    lengths : ndarray, (lengths,)
        Clause lengths in words.
    accuracies : dict of str to ndarray, (lengths,)
        Model name -> the fraction of held-out sentences whose verb's number it got right.
    counts : ndarray, (lengths,)
        Held-out sentences per length.
    shown_length : int, optional
        The slide's clause length, marked.
    description : str
    """

    def __init__(self, *, lengths, accuracies: dict, counts, shown_length=None, description: str = ""):
        self.lengths = np.asarray(lengths)
        self.accuracies = {name: np.asarray(values, float) for name, values in accuracies.items()}
        self.counts = np.asarray(counts)
        self.shown_length, self.description = shown_length, description

    @classmethod
    def from_lesson(cls, results=None):
        """The lesson ``agreement``'s accuracies per clause length (default: shipped; no TensorFlow)."""
        from rnnviz import lessons
        from rnnviz.lessons import agreement

        results = lessons.results("agreement") if results is None else results
        counts = results["counts"]
        count = f"{int(counts[0])}" if np.all(counts == counts[0]) else f"{int(counts.min())}–{int(counts.max())}"
        description = (f"Held-out sentences ({count} per length, half with a plural subject), never trained on; both "
                       f"models trained on clauses of {agreement.LENGTHS[0]}–{agreement.LENGTHS[1]} words, "
                       f"{agreement.UNITS} units each; each noun in the clause is singular or plural by a fair coin")
        return cls(lengths=results["measured_lengths"],
                   accuracies={name: results[f"accuracy_{name}"] for name in agreement.MODELS}, counts=counts,
                   shown_length=len(agreement.SHOWN) - agreement.SHOWN.index(",") - 2, description=description)

    def plot(self, ax=None, *, title=True):
        """Keeps ``figure_``, ``ax_``, ``lines_`` (model name -> Line2D) and ``chance_`` (the chance line)."""
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(11, 5.5))
        self.chance_ = self.ax_.axhline(CHANCE, color=neutral("muted"), linestyle="--", linewidth=1.5)
        self.ax_.annotate("chance", (self.lengths[-1], CHANCE), xytext=(0, 4), textcoords="offset points",
                          ha="right", va="bottom", color=neutral("muted"))
        self.lines_ = {}
        for order, (name, values) in enumerate(self.accuracies.items()):  # later ones smaller: coinciding lines show
            (self.lines_[name],) = self.ax_.plot(self.lengths, values, marker="o", color=color(_kind(name)),
                                                 label=name, linewidth=5 - 2.5 * order, markersize=13 - 5 * order)
        if self.shown_length is not None:
            self.ax_.axvline(self.shown_length, color=neutral("grid"), linewidth=1.5, zorder=0)
            self.ax_.annotate("the slide's clause", (self.shown_length, 0.02), xytext=(4, 0),
                              textcoords="offset points", xycoords=("data", "axes fraction"), va="bottom",
                              color=neutral("muted"))
        self.ax_.set_ylim(0, 1.04)
        self.ax_.set_xlabel("words in the clause between the subject and the verb")
        self.ax_.set_ylabel("verb's number right")
        self.ax_.yaxis.set_major_formatter("{x:.0%}")
        self.ax_.legend(loc="lower right")
        if title:
            figure_title(self.figure_, ACCURACY_HEADING, self.description)
        return self
