"""The gradient explorer: cell type, sequence length and the recurrent weights' spectral radius → the decay curve."""

from __future__ import annotations

import ipywidgets
import numpy as np
from matplotlib.collections import PolyCollection

from rnnviz.errors import check_int, check_number
from rnnviz.kinds import CELL_KINDS
from rnnviz.style import axes_title, color, neutral
from rnnviz.widgets.explorer import Explorer, log_axis, log_limits, observe

KINDS = tuple(CELL_KINDS)  # every cell kind rnnviz knows
MAX_STEPS = 200


class GradientExplorer(Explorer):
    """``||∂h_T / ∂h_t||`` against steps back for a real Keras layer whose recurrent weights are rescaled.

    Every gate's block of the recurrent kernel is scaled to the chosen spectral
    radius (Keras initialises it orthogonal: radius 1), then
    :func:`rnnviz.gradient_profile` measures the decay on a seeded batch. The
    previous setting stays on the plot, dashed, for comparison.

    Parameters
    ----------
    kind : "simple_rnn", "lstm", "peephole_lstm" or "gru"
    steps : int
        Sequence length (2 … 200).
    radius : float
        Spectral radius of each recurrent block (0.1 … 3).
    units, batch, seed : int
        Layer size, sequences in the batch, seed of the weights and the inputs.
    theme : "light" or "dark"
    dpi : int
    """

    figsize = (11, 5.2)
    margins = {"left": 0.09, "right": 0.7, "bottom": 0.12, "top": 0.82}

    def __init__(self, kind: str = "simple_rnn", steps: int = 60, radius: float = 1.0, *, units: int = 32,
                 batch: int = 8, seed: int = 0, theme: str = "light", dpi: int = 80):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind: expected one of {list(KINDS)}, got {kind!r}")
        steps, radius = check_int("steps", steps, 2, MAX_STEPS), check_number("radius", radius, 0.1, 3.0)
        units, batch = check_int("units", units, 1), check_int("batch", batch, 1)
        self.units, self.batch_size, self.seed = int(units), int(batch), int(seed)
        self.kind = ipywidgets.Dropdown(options=[(CELL_KINDS[k].title, k) for k in KINDS], value=kind,
                                        description="cell")
        self.steps = ipywidgets.IntSlider(value=steps, min=2, max=MAX_STEPS, description="steps",
                                          continuous_update=False)
        self.radius = ipywidgets.FloatSlider(value=radius, min=0.1, max=3.0, step=0.05, description="radius ρ",
                                             continuous_update=False, readout_format=".2f")
        self._current = self._previous = None  # the measured curves of this setting and of the one before
        self._start([[self.kind, self.steps, self.radius]], theme=theme, dpi=dpi)
        observe(self, self.kind, self.steps, self.radius)

    def norms(self) -> np.ndarray:
        """(batch, steps back) gradient norms for the current settings, measured on the Keras layer.

        :func:`rnnviz.recording.experiments.rescaled_profile` builds and measures it (needs TensorFlow).
        """
        try:
            from rnnviz.recording.experiments import rescaled_profile
            from rnnviz.recording.gradients import gradient_profile  # noqa: F401 (TensorFlow, or say what is missing)
        except ImportError as error:
            raise ImportError(f"GradientExplorer measures a real Keras layer at each setting, so it needs TensorFlow "
                              f"and Keras ({error}); a saved profile is drawn without them by "
                              f"rnnviz.GradientDecayDisplay.from_profiles") from error
        x = np.random.default_rng(self.seed).normal(size=(self.batch_size, MAX_STEPS, 1)).astype("float32")
        profile = rescaled_profile(self.kind.value, self.radius.value, x[:, : self.steps.value], units=self.units,
                                   seed=self.seed)
        return profile.by_steps_back()

    def _draw(self, figure) -> dict:
        ax = figure.add_subplot()
        band = PolyCollection([], alpha=0.25, linewidths=0)
        ax.add_collection(band)
        (previous,) = ax.plot([], [], color=neutral("muted"), linewidth=1.5, linestyle="--", label="_nolegend_")
        (median,) = ax.plot([], [], linewidth=2.5)
        ax.axhline(1, color=neutral("text"), linewidth=0.8, linestyle=":")
        log_axis(ax)
        ax.set_xlabel("steps back from the last step (T − t)")
        ax.set_ylabel("‖∂h_T / ∂h_t‖ (batch median)")
        ax.grid(True, alpha=0.3)
        artists = {"ax": ax, "band": band, "median": median, "previous": previous}
        self._move(artists)
        return artists

    def _move(self, artists) -> None:
        """Measure a new setting (once), draw it and the one before; limits change, so the figure is drawn again."""
        kind, steps, radius = self.kind.value, self.steps.value, self.radius.value
        label = f"{CELL_KINDS[kind].title}, ρ {radius:.2f}, {steps} steps"
        if self._current is None or self._current["label"] != label:
            self._previous, self._current = self._current, _curves(label, self.norms())
        current, previous = self._current, self._previous
        if previous is not None:
            artists["previous"].set_data(previous["back"], previous["shown"])
            artists["previous"].set_label(f"before: {previous['label']}")
        artists["median"].set_data(current["back"], current["shown"])
        artists["median"].set_color(color(kind))
        artists["median"].set_label(label)
        artists["band"].set_verts([_band(current["back"], current["low"], current["high"])])
        artists["band"].set_facecolor(color(kind))
        artists["band"].set_label("25–75% of the batch")
        ax = artists["ax"]
        ax.set_xlim(0, max(steps - 1, 1))
        both = [current["shown"]] + ([previous["shown"]] if previous is not None else [])
        ax.set_ylim(*log_limits(np.concatenate(both)))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
        note = _note(kind, radius, current["median"], self.units, self.batch_size)
        axes_title(ax, "How much h_T feels each earlier state", note, width=75)
        return None


def _curves(label: str, norms) -> dict:
    """The median and quartiles over the batch of (batch, steps back) norms; ``shown``: the median a log axis can show."""
    with np.errstate(invalid="ignore"):
        median = np.median(norms, axis=0)
        low, high = np.percentile(norms, [25, 75], axis=0)
    shown = np.where(np.isfinite(median) & (median > 0), median, np.nan)
    return {"label": label, "back": np.arange(norms.shape[1]), "median": median, "low": low, "high": high,
            "shown": shown}


def _band(x, low, high) -> np.ndarray:
    """The polygon between two curves (non-finite values clipped to float32's range)."""
    low = np.clip(np.nan_to_num(low, nan=1e-38, posinf=1e38), 1e-38, 1e38)
    high = np.clip(np.nan_to_num(high, nan=1e-38, posinf=1e38), 1e-38, 1e38)
    return np.column_stack([np.concatenate([x, x[::-1]]), np.concatenate([low, high[::-1]])])


def _note(kind, radius, median, units, batch) -> str:
    oldest = median[-1]
    if not np.isfinite(oldest):
        verdict = "oldest step: beyond float32"
    else:
        verdict = f"oldest step: {oldest:.2g}" + (" (vanished)" if oldest == 0 else "")
    return (f"{CELL_KINDS[kind].title}, {units} units, untrained, every recurrent block at spectral radius "
            f"{radius:.2f}; median of {batch} random sequences; {verdict}")
