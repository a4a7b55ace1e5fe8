"""Subject–verb agreement over a long clause ("The BA students, which …, was"): what a SimpleRNN and an LSTM believe
the verb's number is, word by word, and how often they are right as the clause grows.

The headings state the lesson's claims ``agreement/the_slide_sentence``, ``agreement/a_unit_tracks_the_number``,
``agreement/lstm_keeps_the_number``, ``agreement/simple_rnn_loses_the_number`` and
``agreement/simple_rnn_forgets_the_subject``.

The numbers are the lesson ``agreement``'s (:mod:`rnnviz.lessons.agreement`), shipped: no TensorFlow.
"""

from __future__ import annotations

import numpy as np

from rnnviz.errors import InputError
from rnnviz.figures.text_heatmap import TextHeatmapDisplay
from rnnviz.lessons.agreement import SHOWN_CLAUSE
from rnnviz.style import color, figure_title, neutral, new_or_given_panels

SENTENCE_HEADING = (f"\u201cThe BA students \u2026 was\u201d: after the slide's {SHOWN_CLAUSE}-word clause, both models "
                    f"still say \u201cwere\u201d")
ACCURACY_HEADING = "As the clause grows, the SimpleRNN loses the subject's number; the LSTM keeps it"
BELIEF = "P(plural)"  # what the belief rows show, on a 0–1 scale
CHANCE = 0.5  # half the held-out sentences have a plural subject
FONT, LABEL_FONT = "large", "medium"  # the sentence's words; the rows' labels
STATE_NAMES = {"c": "cell state", "h": "hidden state"}


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
    plural_sign : {1, -1}
        The sign of the unit's values for a plural subject (its correlation's): with -1 the row draws ``-values``
        (and says so), so that its warm colour means plural as in the belief rows.
    verb : str
        The verb as the slide has it.
    description : str
    """

    def __init__(self, *, tokens, beliefs: dict, unit_values, unit: int, state: str = "c", plural_sign: int = 1,
                 verb: str = "was", description: str = ""):
        self.tokens = [str(token) for token in tokens]
        self.beliefs = {name: np.asarray(values, float) for name, values in beliefs.items()}
        self.unit_values = np.asarray(unit_values, float)
        for name, values in {**self.beliefs, "unit_values": self.unit_values}.items():
            if values.shape != (len(self.tokens),):
                raise InputError(f"{name}: expected one value per word, shape ({len(self.tokens)},), "
                                 f"got {values.shape}")
        if plural_sign not in (1, -1):
            raise InputError(f"plural_sign: expected 1 or -1, got {plural_sign!r}")
        self.unit, self.state, self.verb, self.description = int(unit), state, verb, description
        self.plural_sign = int(plural_sign)

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
                       f"the verb came next; trained only after the last word, on clauses of {agreement.LENGTHS[0]}–"
                       f"{agreement.LENGTHS[1]} words (this one has {agreement.SHOWN_CLAUSE}), "
                       f"with noise on h in training. Last row: unit {unit} of the LSTM's "
                       f"cell state c, the unit whose c after the last word correlates best with the subject's number "
                       f"over {len(results['probability_LSTM'])} held-out sentences ({correlation:+.2f})")
        return cls(tokens=agreement.SHOWN,
                   beliefs={name: results[f"shown_belief_{name}"] for name in agreement.MODELS},
                   unit_values=trace.layers[0].states["c"][0, :, unit], unit=unit, state="c",
                   plural_sign=1 if correlation > 0 else -1,
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
        drawn = self.plural_sign * self.unit_values
        name = f"{self.state}[{self.unit}]" if self.plural_sign > 0 else f"\u2212{self.state}[{self.unit}]"
        limit = float(np.max(np.abs(drawn))) or 1.0
        self.rows_["unit"] = TextHeatmapDisplay(tokens=self.tokens, values=drawn, limits=(-limit, limit),
                                                activation=self.state, unit=self.unit, kind="lstm").plot(
            self.axes_["unit"], title=False, fontsize=FONT, colorbar_kw={"label": name})
        self.labels_["unit"] = self._label(self.axes_["unit"], f"LSTM: {name} after each word (unit {self.unit} of "
                                                               f"its {STATE_NAMES[self.state]})", color("lstm"))
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
    """Against the clause's length, per model: how often it gets the verb's number right on held-out sentences
    (chance marked), and how far its answer moves when only the subject's number is changed.

    Parameters
    ----------
    lengths : ndarray, (lengths,)
        Clause lengths in words.
    accuracies : dict of str to ndarray, (lengths,)
        Model name -> the fraction of held-out sentences whose verb's number it got right.
    subject_effects : dict of str to ndarray, (lengths,)
        Model name -> the median, over the held-out sentences, of how far its P(plural) at the verb moves when the
        subject is changed to the other number (0: the answer no longer depends on the subject; 1: it flips).
    counts : ndarray, (lengths,)
        Held-out sentences per length.
    shown_length : int, optional
        The slide's clause length, marked.
    description : str
    """

    def __init__(self, *, lengths, accuracies: dict, subject_effects: dict, counts, shown_length=None,
                 description: str = ""):
        self.lengths = np.asarray(lengths)
        self.accuracies = {name: np.asarray(values, float) for name, values in accuracies.items()}
        self.subject_effects = {name: np.asarray(values, float) for name, values in subject_effects.items()}
        for name, values in {**self.accuracies, **self.subject_effects}.items():
            if values.shape != self.lengths.shape:
                raise InputError(f"{name}: expected one value per clause length, shape {self.lengths.shape}, "
                                 f"got {values.shape}")
        if set(self.accuracies) != set(self.subject_effects):
            raise InputError(f"subject_effects: expected the models of accuracies ({', '.join(self.accuracies)}), "
                             f"got {', '.join(self.subject_effects)}")
        self.counts = np.asarray(counts)
        self.shown_length, self.description = shown_length, description

    @classmethod
    def from_lesson(cls, results=None):
        """The lesson ``agreement``'s accuracies and subject effects per clause length (default: shipped; no
        TensorFlow)."""
        from rnnviz import lessons
        from rnnviz.lessons import agreement

        results = lessons.results("agreement") if results is None else results
        counts = results["counts"]
        count = f"{int(counts[0])}" if np.all(counts == counts[0]) else f"{int(counts.min())}–{int(counts.max())}"
        description = (f"Held-out sentences ({count} per length, half with a plural subject), never trained on; each "
                       f"noun in the clause singular or plural by a fair coin. Both models ({agreement.UNITS} units) "
                       f"trained on clauses of {agreement.LENGTHS[0]}–{agreement.LENGTHS[1]} words only, with noise on "
                       f"h in training; measured without. Right: the median, over the sentences, of how far P(plural) "
                       f"at the verb moves when only the subject is changed (\u201cstudents\u201d \u2192 "
                       f"\u201cstudent\u201d)")
        return cls(lengths=results["measured_lengths"],
                   accuracies={name: results[f"accuracy_{name}"] for name in agreement.MODELS},
                   subject_effects={name: results[f"subject_effect_{name}"] for name in agreement.MODELS},
                   counts=counts, shown_length=agreement.SHOWN_CLAUSE,
                   description=description)

    def plot(self, ax=None, *, title=True):
        """Two panels, accuracy and subject effect (given ``ax``: two axes).

        Keeps ``figure_``, ``axes_`` (``"accuracy"``, ``"subject"`` -> Axes), ``lines_`` and ``effect_lines_``
        (model name -> Line2D) and ``chance_`` (the chance line).
        """
        self.figure_, axes = new_or_given_panels(ax, 2, what="accuracy, subject effect", figsize=(13, 5.5))
        self.axes_ = dict(zip(("accuracy", "subject"), axes))
        accuracy, subject = axes
        self.chance_ = accuracy.axhline(CHANCE, color=neutral("muted"), linestyle="--", linewidth=1.5)
        accuracy.annotate("chance", (self.lengths[0], CHANCE), xytext=(0, -4), textcoords="offset points",
                          ha="left", va="top", color=neutral("muted"))
        self.lines_ = self._lines(accuracy, self.accuracies)
        self.effect_lines_ = self._lines(subject, self.subject_effects)
        accuracy.set_ylabel("verb's number right")
        accuracy.yaxis.set_major_formatter("{x:.0%}")
        subject.set_ylabel("answer moved by the subject")
        accuracy.set_title("right answers", loc="left")
        subject.set_title("effect of the subject", loc="left")
        self.figure_.supxlabel("words in the clause between the subject and the verb")
        for panel in axes:
            panel.set_ylim(0, 1.04)
            if self.shown_length is not None:
                panel.axvline(self.shown_length, color=neutral("grid"), linewidth=1.5, zorder=0)
        if self.shown_length is not None:  # named where no line runs: low on the accuracy panel
            accuracy.annotate("the slide's clause", (self.shown_length, 0.02), xytext=(4, 0),
                              textcoords="offset points", xycoords=("data", "axes fraction"), va="bottom",
                              color=neutral("muted"))
        subject.legend(loc="center right")
        if title:
            figure_title(self.figure_, ACCURACY_HEADING, self.description)
        return self

    def _lines(self, ax, values: dict) -> dict:
        lines = {}
        for order, (name, series) in enumerate(values.items()):  # later ones thinner: coinciding lines show
            (lines[name],) = ax.plot(self.lengths, series, marker="o", color=color(_kind(name)), label=name,
                                     linewidth=5 - 2.5 * order, markersize=13 - 5 * order)
        return lines
