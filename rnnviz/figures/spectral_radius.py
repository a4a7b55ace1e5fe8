"""Spectral-radius sweep: one SimpleRNN, its recurrent matrix rescaled, gradients vanishing or exploding."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from rnnviz.style import figure_title, neutral, new_or_given_panels

DEFAULT_RADII = (0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0)


class SpectralRadiusDisplay:
    """``||d h_T / d h_t||`` against steps back for one SimpleRNN whose ``W_h`` is rescaled to several radii.

    Below radius 1 the gradient vanishes; above it, it can explode (Pascanu et
    al., 2013). With tanh the growth is held back by saturation; with relu, the
    units a step switches off cut their paths, so its gradients explode only
    when the radius is well above 1.

    Parameters
    ----------
    norms : dict of (activation, radius) to ndarray, (batch, steps back)
    radii : sequence of float
    activations : sequence of str
    description : str
    """

    def __init__(self, *, norms: dict, radii, activations, description: str = ""):
        self.norms = {key: np.asarray(value, dtype=float) for key, value in norms.items()}
        self.radii = tuple(radii)
        self.activations = tuple(activations)
        self.description = description

    @classmethod
    def from_sweep(
        cls, *, radii=DEFAULT_RADII, activations=("tanh", "relu"), units=32, steps=50, batch=8, input_scale=0.5, seed=0
    ):
        """Build the SimpleRNN (seeded weights, no bias), rescale ``W_h`` to each radius, and profile it.

        The measuring is :func:`rnnviz.recording.experiments.spectral_radius_sweep` (imports TensorFlow).
        """
        from rnnviz.recording.experiments import spectral_radius_sweep

        norms = spectral_radius_sweep(radii=radii, activations=activations, units=units, steps=steps, batch=batch,
                                      input_scale=input_scale, seed=seed)
        return cls(norms=norms, radii=radii, activations=activations,
                   description=_sweep_description(units=units, steps=steps, batch=batch, input_scale=input_scale))

    @classmethod
    def from_lesson(cls, results=None):
        """The sweep of the lesson ``gradients`` (default: its shipped results); no TensorFlow needed."""
        from rnnviz import lessons
        from rnnviz.lessons import gradients

        results = lessons.results("gradients") if results is None else results
        return cls(norms=gradients.swept(results), radii=tuple(float(r) for r in results["radii"]),
                   activations=gradients.ACTIVATIONS, description=_sweep_description(**gradients.SWEEP))

    def plot(self, ax=None, *, title=True, **kwargs):
        """One panel per activation, one line (batch median) per radius; ``ax``: one axes per activation.

        Keeps ``figure_``, ``axes_`` (by activation) and ``lines_`` (by (activation, radius)).
        """
        self.figure_, axes = new_or_given_panels(
            ax, len(self.activations), what="one per activation", figsize=(12, 4.5), sharey=True
        )
        self.axes_ = dict(zip(self.activations, axes))
        self.lines_ = {}
        colours = radius_colours(self.radii)
        for activation, panel in self.axes_.items():
            for radius in self.radii:
                values = self.norms[activation, radius]
                median = np.median(values, axis=0)
                shown = np.where(median > 0, median, np.nan)  # exactly 0 (underflow) has no place on a log axis
                (self.lines_[activation, radius],) = panel.plot(
                    np.arange(values.shape[1]),
                    shown,
                    **{"color": colours[radius], "linewidth": 2, "label": f"ρ = {radius:g}", **kwargs},
                )
                ended = ~np.isfinite(shown)
                if ended.any() and np.isfinite(shown[0]):  # mark where the curve leaves float32's range
                    first = int(np.argmax(ended))
                    reason = "underflow to 0" if median[first] == 0 else "overflow"
                    panel.annotate(reason, (first - 1, shown[first - 1]), color=colours[radius], fontsize=9)
            panel.set_yscale("log")
            panel.set_title(activation, loc="left")
            panel.set_xlabel("steps back from the last step (T - t)")
            panel.grid(True, alpha=0.3)
        axes[0].set_ylabel("‖∂h_T / ∂h_t‖ (batch median)")
        axes[-1].legend(title="spectral radius of W_h", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        if title:
            figure_title(self.figure_, "Gradients vanish below spectral radius 1 and explode well above it "
                         "(relu: still vanishing at 1.1)", self.description)
        return self


def radius_colours(radii) -> dict:
    """Blues below radius 1, the text colour (black on a light theme) at 1, reds above: darker the further from 1."""
    below = [r for r in radii if r < 1]
    above = [r for r in radii if r > 1]
    colours = {}
    for group, cmap in ((below, plt.get_cmap("Blues")), (above, plt.get_cmap("Reds"))):
        spread = max((abs(r - 1) for r in group), default=1)
        for radius in group:
            colours[radius] = cmap(0.45 + 0.5 * abs(radius - 1) / spread)
    colours.update({r: neutral("text") for r in radii if r == 1})
    return colours


def _sweep_description(*, units, steps, batch, input_scale) -> str:
    return (f"SimpleRNN, {units} units, W_h = ρ · (a random matrix of spectral radius 1); "
            f"{batch} sequences of {steps} steps, inputs ~ N(0, {input_scale}²)")
