"""Long-range memory: the adding problem, what each cell remembers against how far back it lies.

The lecture's sentence "The BA students, which had been working for days on end,
... were" needs something from many words back at the verb. The adding problem
(Hochreiter & Schmidhuber 1997) is the standard synthetic version: a sequence of
random numbers in [0, 1], two of them marked; at the end the network must say
their sum. The lesson ``memory`` (:mod:`rnnviz.lessons.memory`) trains a
SimpleRNN, an LSTM and a GRU of the same size on it once; these displays draw
what it measured on new sequences, per distance of the first marked number:

- :class:`LongRangeMemoryDisplay`: the squared error, with what a network
  without memory gets;
- :class:`AnswerGradientDisplay`: the answer's gradient with respect to the first
  marked number, ``∂ŷ / ∂x_first`` (1: the number reaches the answer whole; 0:
  its gradient has faded on the way);
- :class:`AnswerGradientMapDisplay`: the trained memory heatmap, the same
  medians as a table of colours: cell against distance.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from rnnviz.figures.nonfinite import contrasting_text
from rnnviz.kinds import kind_of_class
from rnnviz.mpl.strips import magnitude_map
from rnnviz.style import axes_title, color, fitted_to_figure, neutral, new_or_given_axes

CELLS = ("SimpleRNN", "LSTM", "GRU")  # the memory lesson's models, by their Keras layer's name
DISTANCE_LABEL = "steps between the first marked number and the answer"


def _lesson_results(results):
    if results is None:
        from rnnviz import lessons

        results = lessons.results("memory")
    return results


def _lesson_description():
    from rnnviz.lessons.memory import EPOCHS, HELD_OUT_SEQUENCES, UNITS

    return (f"the lesson 'memory': {UNITS} units per cell, trained together on all distances for {EPOCHS} epochs; "
            f"{HELD_OUT_SEQUENCES} new sequences")


def _per_distance(results, key, statistic):
    from rnnviz.lessons.memory import per_distance

    return per_distance(results, key, statistic)


def _one_per_distance(argument: str, values: dict, distances: np.ndarray) -> dict:
    """``values`` (label -> one number per distance) as float arrays; ValueError naming ``argument`` otherwise."""
    arrays = {label: np.asarray(row, float) for label, row in values.items()}
    for label, row in arrays.items():
        if row.shape != distances.shape:
            raise ValueError(f"{argument}[{label!r}]: expected one value per distance {distances.shape}, "
                             f"got {row.shape}")
    return arrays


def _distance_axis(ax, distances, legend_title=None):
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(distances, [str(d) for d in distances])
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1), title=legend_title, alignment="left")
    ax.set_xlabel(fitted_to_figure(DISTANCE_LABEL, ax, mpl.rcParams["axes.labelsize"], within_axes=True))


class LongRangeMemoryDisplay:
    """Test error against dependency distance, one line per cell, with the no-memory level.

    Parameters
    ----------
    distances : sequence of int
    mse : dict of str to ndarray (one value per distance)
    no_memory_mse : ndarray, optional
        The error of a predictor that remembers nothing (drawn as a dashed line).
    description : str
    """

    def __init__(self, *, distances, mse: dict, no_memory_mse=None, description: str = ""):
        self.distances = np.asarray(distances)
        self.mse = _one_per_distance("mse", mse, self.distances)
        self.no_memory_mse = None if no_memory_mse is None else np.asarray(no_memory_mse, float)
        self.description = description

    @classmethod
    def from_lesson(cls, results=None):
        """The errors the lesson ``memory`` measured (default: its shipped results)."""
        results = _lesson_results(results)
        mse = {label: _per_distance(results, f"squared_error_{label}", np.mean) for label in CELLS}
        return cls(distances=results["distances"], mse=mse,
                   no_memory_mse=_per_distance(results, "squared_error_no_memory", np.mean),
                   description=_lesson_description())

    def plot(self, ax=None, *, title=True, **kwargs):
        """MSE (log) against distance; keeps ``figure_``, ``ax_``, ``lines_`` (by cell label)."""
        self.figure_, self.ax_ = new_or_given_axes(ax)
        self.lines_ = {}
        for label, values in self.mse.items():
            (self.lines_[label],) = self.ax_.plot(
                self.distances,
                values,
                **{"color": color(kind_of_class(label) or label), "marker": "o", "linewidth": 2.2, "label": label, **kwargs},
            )
        if self.no_memory_mse is not None:
            (self.lines_["no memory"],) = self.ax_.plot(
                self.distances, self.no_memory_mse, color=neutral("muted"), linestyle="--",
                label="no memory\n(answers 1, the expected sum)",
            )
        self.ax_.set_yscale("log")
        self.ax_.set_ylabel("mean squared error on new sequences")
        _distance_axis(self.ax_, self.distances)
        if title:
            axes_title(self.ax_, "Long-range memory: the SimpleRNN forgets first", self.description)
        return self


class AnswerGradientDisplay:
    """``∂ŷ / ∂x_first`` against the distance of the first marked number: median and middle half, per cell.

    Parameters
    ----------
    distances : sequence of int
    gradients : dict of str to list of ndarray
        For each cell, the gradients of the sequences at each distance.
    description : str
    """

    def __init__(self, *, distances, gradients: dict, description: str = ""):
        self.distances = np.asarray(distances)
        self.gradients = {label: [np.asarray(v, float) for v in values] for label, values in gradients.items()}
        for label, values in self.gradients.items():
            if len(values) != len(self.distances):
                raise ValueError(f"gradients[{label!r}]: expected one array per distance ({len(self.distances)}), "
                                 f"got {len(values)}")
        self.description = description

    @classmethod
    def from_lesson(cls, results=None):
        """What the lesson ``memory`` measured (default: its shipped results)."""
        results = _lesson_results(results)
        gradients = {
            label: [results[f"answer_gradient_{label}"][results["distance"] == d] for d in results["distances"]]
            for label in CELLS
        }
        return cls(distances=results["distances"], gradients=gradients, description=_lesson_description())

    def medians(self) -> dict:
        """The median gradient per distance, per cell (what the lines show)."""
        return {label: np.array([np.median(v) for v in values]) for label, values in self.gradients.items()}

    def plot(self, ax=None, *, title=True, **kwargs):
        """Median (line) and 25-75% (band) per distance; keeps ``figure_``, ``ax_``, ``lines_``, ``bands_``."""
        self.figure_, self.ax_ = new_or_given_axes(ax)
        self.lines_, self.bands_ = {}, {}
        for label, median in self.medians().items():
            line_color = color(kind_of_class(label) or label)
            low, high = np.array([np.percentile(v, [25, 75]) for v in self.gradients[label]]).T
            self.bands_[label] = self.ax_.fill_between(self.distances, low, high, color=line_color, alpha=0.2, linewidth=0)
            (self.lines_[label],) = self.ax_.plot(
                self.distances, median,
                **{"color": line_color, "marker": "o", "linewidth": 2.2, "label": label, **kwargs},
            )
        self.ax_.axhline(1, color=neutral("muted"), linestyle="--", linewidth=1.2, label="1: the number\nreaches the answer")
        self.ax_.axhline(0, color=neutral("muted"), linestyle=":", linewidth=1.2, label="0: its gradient\nhas faded")
        self.ax_.set_ylabel("∂ŷ / ∂x_first: the answer's change\nper unit change of the first number")
        _distance_axis(self.ax_, self.distances, legend_title="median of the sequences;\nband: their middle half")
        if title:
            axes_title(self.ax_, "Gradients through time, trained: does the first number still reach the answer?",
                       self.description)
        return self


class AnswerGradientMapDisplay:
    """The trained memory heatmap: the median ``∂ŷ / ∂x_first`` per cell (rows) and distance (columns), written in.

    1 (bright): the answer still follows the number that far back; 0 (dark): its
    gradient has faded on the way. The same numbers as :class:`AnswerGradientDisplay`'s
    lines, as a table a class can read from the back.

    Parameters
    ----------
    distances : sequence of int
    medians : dict of str to ndarray (one value per distance)
    description : str
    """

    def __init__(self, *, distances, medians: dict, description: str = ""):
        self.distances = np.asarray(distances)
        self.medians = _one_per_distance("medians", medians, self.distances)
        self.description = description

    @classmethod
    def from_lesson(cls, results=None):
        """What the lesson ``memory`` measured (default: its shipped results)."""
        results = _lesson_results(results)
        medians = {label: _per_distance(results, f"answer_gradient_{label}", np.median) for label in CELLS}
        return cls(distances=results["distances"], medians=medians, description=_lesson_description())

    def plot(self, ax=None, *, title=True, cmap=None, **kwargs):
        """One row per cell, one column per distance, each value written in its square.

        ``cmap``: default the positive half of the value map (a magnitude: the background at 0, vermilion at 1).
        Keeps ``figure_``, ``ax_``, ``image_``, ``texts_`` (by (label, distance)) and ``colorbar_``.
        """
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(12, 4.6))
        cmap = cmap or magnitude_map()
        labels = list(self.medians)
        values = np.array([self.medians[label] for label in labels])
        self.image_ = self.ax_.imshow(values, cmap=cmap, vmin=0, vmax=1, aspect="auto", **kwargs)
        self.texts_ = {}
        for row, label in enumerate(labels):
            for column, distance in enumerate(self.distances):
                value = values[row, column]
                self.texts_[label, int(distance)] = self.ax_.text(
                    column, row, f"{value:.2f}", ha="center", va="center", fontsize=16,
                    color=contrasting_text(self.image_.cmap(self.image_.norm(value))))
        self.ax_.set_xticks(range(self.distances.size), [str(d) for d in self.distances])
        self.ax_.set_yticks(range(len(labels)), labels)
        for tick, label in zip(self.ax_.get_yticklabels(), labels):
            tick.set_color(color(kind_of_class(label) or label))
        self.ax_.set_xlabel(fitted_to_figure(DISTANCE_LABEL, self.ax_, mpl.rcParams["axes.labelsize"], within_axes=True))
        self.ax_.tick_params(length=0)
        self.colorbar_ = self.figure_.colorbar(self.image_, ax=self.ax_, extend="both",
                                               label="∂ŷ / ∂x_first (median)")
        if title:
            axes_title(self.ax_, "Trained memory: how much the answer still follows a number d steps back",
                       self.description)
        return self
