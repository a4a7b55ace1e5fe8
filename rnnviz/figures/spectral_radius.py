"""Spectral-radius sweep: one SimpleRNN, its recurrent matrix rescaled, gradients vanishing or exploding."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb

from rnnviz.style import VALUE_COLOURS, figure_title, neutral, new_or_given_panels

FAR_SHADE = 0.6  # the radius furthest from 1: its end colour this far towards the text colour

DEFAULT_RADII = (0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0)
# What the lesson ``gradients`` checks on its sweep (its claims vanish_below_one, explode_well_above_one, *_edge).
LESSON_HEADING = "Gradients vanish below spectral radius 1, explode well above"


class SpectralRadiusDisplay:
    """``||d h_T / d h_t||`` against steps back for one SimpleRNN whose ``W_h`` is rescaled to several radii.

    Below radius 1 the gradient vanishes; above it, it can explode (Pascanu et
    al., 2013). Where it turns depends on the activation: with none (linear) the
    radius alone decides; tanh's slope is at most 1 and saturates; relu's is 0 on
    the units a step switches off, cutting their paths.

    Parameters
    ----------
    norms : dict of (activation, radius) to ndarray, (batch, steps back)
    radii : sequence of float
    activations : sequence of str
    description : str
    heading : str
        The figure's title.
    panel_notes : dict of activation to str, optional
        A line under each panel's name (what the lesson checked on that panel).
    """

    HEADING = "Gradients through time as the spectral radius ρ of W_h grows"

    def __init__(self, *, norms: dict, radii, activations, description: str = "", heading: str = HEADING,
                 panel_notes=None):
        self.norms = {key: np.asarray(value, dtype=float) for key, value in norms.items()}
        self.radii = tuple(radii)
        self.activations = tuple(activations)
        self.description = description
        self.heading = heading
        self.panel_notes = dict(panel_notes or {})

    @classmethod
    def from_sweep(
        cls, *, radii=DEFAULT_RADII, activations=("linear", "tanh", "relu"), units=32, steps=50, batch=8,
        input_scale=0.5, seed=0
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
        """The sweep of the lesson ``gradients`` (default: its shipped results), titled with its claims; no TensorFlow."""
        from rnnviz import lessons
        from rnnviz.lessons import gradients

        results = lessons.results("gradients") if results is None else results
        return cls(norms=gradients.swept(results), radii=tuple(float(r) for r in results["radii"]),
                   activations=gradients.ACTIVATIONS,
                   description="the activation decides where they turn (each panel names a radius either side); "
                               + _sweep_description(**gradients.SWEEP),
                   heading=LESSON_HEADING, panel_notes={activation: gradients.edge_sentence(activation, "\n")
                                                        for activation in gradients.ACTIVATIONS})

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
                self.lines_[activation, radius] = self._plot_median(panel, self.norms[activation, radius],
                                                                    colour=colours[radius], label=f"ρ = {radius:g}",
                                                                    **kwargs)
            panel.set_yscale("log")
            panel.margins(y=0.1)  # room for the notes where a curve leaves float32's range
            panel.set_title("\n".join(filter(None, (activation, self.panel_notes.get(activation)))), loc="left")
            panel.set_xlabel("steps back (T − t)")
            panel.grid(True, alpha=0.3)
        axes[0].set_ylabel("‖∂h_T / ∂h_t‖ (batch median)")
        _decade_ticks(axes[0])
        handles = [self.lines_[self.activations[0], radius] for radius in self.radii]
        self.figure_.legend(handles=handles, frameon=False, loc="outside lower center",
                            ncol=(len(handles) + 1) // 2)  # below the panels: they keep the slide's width
        if title:
            figure_title(self.figure_, self.heading, self.description)
        return self

    @staticmethod
    def _plot_median(panel, values, *, colour, label, **kwargs):
        """The batch median by steps back; where it leaves float32's range, a note saying how."""
        median = np.median(values, axis=0)
        shown = np.where(median > 0, median, np.nan)  # exactly 0 (underflow) has no place on a log axis
        (line,) = panel.plot(np.arange(len(shown)), shown, **{"color": colour, "linewidth": 2, "label": label, **kwargs})
        ended = ~np.isfinite(shown)
        if ended.any() and np.isfinite(shown[0]):
            first = int(np.argmax(ended))
            below = median[first] == 0  # underflow: the note under the curve's end; overflow: over it
            panel.annotate("underflow to 0" if below else "overflow", (first - 1, shown[first - 1]),
                           xytext=(0, -6 if below else 6), textcoords="offset points", color=colour,
                           fontsize="small", ha="center", va="top" if below else "bottom")
        return line


def _decade_ticks(ax, most: int = 8) -> None:
    """Log-axis ticks every 1, 2, 5, 10, 20 or 50 decades: the smallest stride giving at most ``most`` ticks."""
    low, high = np.log10(ax.get_ylim())
    stride = next(s for s in (1, 2, 5, 10, 20, 50) if (high - low) / s <= most)
    ax.set_yticks(10.0 ** np.arange(np.ceil(low / stride) * stride, high, stride))


def radius_colours(radii) -> dict:
    """The value map's ends by the sign of log r: blue below radius 1, vermilion above, the text colour at 1.

    The further from 1, the more a colour stands out from the background: mixed (up to
    ``FAR_SHADE``) towards the text colour, darker on a light theme, lighter on a dark one.
    """
    below = [r for r in radii if r < 1]
    above = [r for r in radii if r > 1]
    text = np.asarray(to_rgb(neutral("text")))
    colours = {}
    for group, end in ((below, VALUE_COLOURS["negative"]), (above, VALUE_COLOURS["positive"])):
        spread = max((abs(np.log(r)) for r in group), default=1)
        for radius in group:
            share = FAR_SHADE * abs(np.log(radius)) / spread
            colours[radius] = tuple((1 - share) * np.asarray(to_rgb(end)) + share * text)
    colours.update({r: neutral("text") for r in radii if r == 1})
    return colours


def _sweep_description(*, units, steps, batch, input_scale) -> str:
    return (f"SimpleRNN, {units} units, W_h = ρ · (a random matrix of spectral radius 1); "
            f"{batch} sequences of {steps} steps, inputs ~ N(0, {input_scale}²)")
