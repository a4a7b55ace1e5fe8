"""Memory heatmap: ``||d h_t / d x_s||`` over (t, s), how long each input is felt, per cell."""

from __future__ import annotations

import warnings

import numpy as np

from rnnviz.mpl.strips import magnitude_map
from rnnviz.style import figure_title, neutral, new_or_given_panels


UNTRAINED_HEADING = "Untrained cells: how long an input is felt by each later state"


class MemoryHeatmapDisplay:
    """For each model, the batch median of ``log10 ||d h_t / d x_s||`` as an image over (s, t).

    Parameters
    ----------
    maps : dict of str to ndarray, (batch, time t, time s)
        NaN where s > t.
    description : str
    """

    HEADING = "How long an input is felt: each state's dependence on every earlier input"

    def __init__(self, *, maps: dict, description: str = "", heading: str = HEADING):
        self.maps = {label: np.asarray(value, dtype=float) for label, value in maps.items()}
        self.description = description
        self.heading = heading

    @classmethod
    def from_models(cls, models, x, *, layer=None, description=""):
        """A map for each model (a dict label -> Keras model) on the same ``x``."""
        from rnnviz.recording.gradients import memory_map

        return cls(maps={label: memory_map(model, x, layer=layer) for label, model in models.items()}, description=description)

    @classmethod
    def from_cells(cls, *, units=16, steps=30, batch=8, seed=0):
        """SimpleRNN, LSTM and GRU of ``units``, Keras's default initialisation, on one seeded input.

        The models come from :func:`rnnviz.recording.experiments.untrained_cells` (imports TensorFlow).
        """
        from rnnviz.recording.experiments import untrained_cells

        x = np.random.default_rng(seed).normal(size=(batch, steps, 1)).astype("float32")
        models = untrained_cells(units=units, steps=steps, seed=seed)
        description = f"untrained layers of {units} units (Keras's default initialisation), {batch} random sequences"
        display = cls.from_models(models, x, description=description)
        display.heading = UNTRAINED_HEADING
        return display

    @classmethod
    def from_lesson(cls, results=None):
        """:meth:`from_cells` as the lesson ``gradients`` measured and shipped it (default: the shipped results)."""
        from rnnviz import lessons
        from rnnviz.lessons.gradients import untrained_memory

        maps, description = untrained_memory(lessons.results("gradients") if results is None else results)
        return cls(maps=maps, description=description, heading=UNTRAINED_HEADING)

    def plot(self, ax=None, *, title=True, vmin=-8, cmap=None, **kwargs):
        """One panel per model; colour is ``log10`` of the batch-median norm, clipped below at ``vmin``.

        ``cmap``: default the positive half of the value map (a magnitude: the background small, vermilion large).
        Keeps ``figure_``, ``axes_`` and ``images_`` (by label) and ``colorbar_``.
        """
        cmap = cmap or magnitude_map()
        labels = list(self.maps)
        self.figure_, axes = new_or_given_panels(
            ax, len(labels), what="one per model", figsize=(4.2 * len(labels) + 1, 5)
        )
        self.axes_, self.images_ = dict(zip(labels, axes)), {}
        vmax = max(np.nanmax(_log_median(m)) for m in self.maps.values())
        for label, panel in self.axes_.items():
            shown = _log_median(self.maps[label])
            steps = shown.shape[0]
            self.images_[label] = panel.imshow(
                shown,
                origin="lower",
                cmap=cmap,
                vmin=vmin,
                vmax=vmax,
                extent=(-0.5, steps - 0.5, -0.5, steps - 0.5),
                **kwargs,
            )
            panel.set_title(label, loc="left")
            panel.set_xlabel("input step s")
            panel.set_ylabel("state step t")
            panel.set_facecolor(neutral("grid"))  # s > t: no dependence, drawn grey
        self.colorbar_ = self.figure_.colorbar(
            self.images_[labels[-1]], ax=axes, label="log10 ‖∂h_t / ∂x_s‖ (batch median)", extend="min"
        )
        if title:
            figure_title(self.figure_, self.heading, self.description)
        return self


def _log_median(maps: np.ndarray) -> np.ndarray:
    """log10 of the batch median, NaN where s > t (all-NaN there, which is expected)."""
    with warnings.catch_warnings(), np.errstate(divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.log10(np.nanmedian(maps, axis=0))
