"""The recurrent-neuron playground: one SimpleRNN unit whose weights are sliders.

h_t = f(w_x · x_t + w_h · h_(t−1) + b), and d h_T / d h_t = Π_(k=t+1..T) w_h · f′(a_k):
a student sees the gradient vanish when |w_h · f′| < 1 and explode when it is > 1.
The verdict is read off the curve shown (:func:`gradient_verdict`): shrunk more than
10× from the last step to the oldest is vanishing, grown more than 10× is exploding.
The numbers are computed here in float32 exactly as Keras's SimpleRNN(1) does
(a test checks them against a real Keras layer and :func:`rnnviz.gradient_profile`),
so moving a slider costs microseconds, not a TensorFlow call.
"""

from __future__ import annotations

from typing import NamedTuple

import ipywidgets
import numpy as np
from matplotlib.collections import PolyCollection

from rnnviz.errors import check_int, check_number
from rnnviz.style import PALETTE, axes_title, neutral
from rnnviz.widgets.explorer import Explorer, bar_outlines, log_axis, log_limits, observe

ACTIVATIONS = ("tanh", "relu", "linear")
INPUTS = ("pulse", "noise", "sine")
VERDICT_FACTOR = 10.0  # |∂h_T/∂h_t| shrunk (grown) more than this over the steps shown: vanishing (exploding)


class NeuronRun(NamedTuple):
    """One run of the neuron over a sequence (all float32, length T)."""

    h: np.ndarray  # the state after each step
    pre: np.ndarray  # a_t = w_x · x_t + w_h · h_(t−1) + b, before the activation
    gradient: np.ndarray  # |d h_T / d h_t| for t = 0 … T−1 (1 at t = T−1)


def run_neuron(x, *, w_x: float, w_h: float, bias: float, activation: str = "tanh") -> NeuronRun:
    """Run h_t = f(w_x x_t + w_h h_(t−1) + b) from h_(−1) = 0 over ``x`` (T,), as SimpleRNN(1) does, with its gradients."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {list(ACTIVATIONS)}, got {activation!r}")
    x = np.asarray(x, np.float32).reshape(-1)
    w_x, w_h, bias = np.float32(w_x), np.float32(w_h), np.float32(bias)
    h, pre = np.zeros_like(x), np.zeros_like(x)
    previous = np.float32(0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        for t, value in enumerate(x):
            pre[t] = value * w_x + bias + previous * w_h  # Keras's order: x W + b, then + h U
            h[t] = _activation(pre[t], activation)
            previous = h[t]
        factors = np.abs(w_h * _derivative(pre, h, activation))  # |d h_t / d h_(t−1)|
        gradient = np.append(np.cumprod(factors[:0:-1])[::-1], np.float32(1.0)).astype(np.float32)
    return NeuronRun(h, pre, gradient)


def gradient_verdict(gradient) -> str:
    """"vanishing", "exploding" or "neither": how |∂h_T/∂h_t| changed from the last step to the oldest.

    gradient: ``NeuronRun.gradient`` (oldest step first, 1 at the last). Shrunk by more than
    :data:`VERDICT_FACTOR` is vanishing; grown by more than it, or beyond float32, is exploding.
    """
    change = float(gradient[0]) / float(gradient[-1])
    if not np.isfinite(change) or change > VERDICT_FACTOR:
        return "exploding"
    return "vanishing" if change < 1 / VERDICT_FACTOR else "neither"


def neuron_input(kind: str, steps: int, *, seed: int = 0) -> np.ndarray:
    """The playground's input sequences: "pulse" (1 at t = 0, then 0), "noise" (seeded N(0, 1)), "sine"."""
    if kind == "pulse":
        return np.eye(1, steps, dtype=np.float32)[0]
    if kind == "noise":
        return np.random.default_rng(seed).normal(size=steps).astype(np.float32)
    if kind == "sine":
        return np.sin(2 * np.pi * np.arange(steps) / 12).astype(np.float32)
    raise ValueError(f"inputs: expected one of {list(INPUTS)}, got {kind!r}")


def _activation(a, name):
    return {"tanh": np.tanh, "relu": lambda v: np.maximum(v, np.float32(0)), "linear": lambda v: v}[name](a)


def _derivative(pre, h, name):
    if name == "tanh":
        return np.float32(1) - h * h
    if name == "relu":
        return (pre > 0).astype(np.float32)
    return np.ones_like(pre)


class NeuronPlayground(Explorer):
    """Sliders for one recurrent neuron's weights; its state over time and its gradient decay, live.

    Parameters
    ----------
    w_x, w_h, bias : float
        Input weight, recurrent weight, bias.
    activation : "tanh", "relu" or "linear"
    steps : int
        Sequence length (2 … 200).
    inputs : "pulse", "noise" or "sine"
    theme : "light" or "dark"
    dpi : int
    """

    figsize = (11, 4.8)
    margins = {"left": 0.08, "right": 0.98, "bottom": 0.12, "top": 0.8, "wspace": 0.3}  # room for any tick labels

    def __init__(self, *, w_x: float = 1.0, w_h: float = 0.9, bias: float = 0.0, activation: str = "tanh",
                 steps: int = 30, inputs: str = "pulse", theme: str = "light", dpi: int = 80):
        super().__init__()
        slider = dict(min=-2.0, max=2.0, step=0.05, continuous_update=True, readout_format=".2f")
        w_x, w_h, bias = (check_number(name, value, -2, 2)
                          for name, value in (("w_x", w_x), ("w_h", w_h), ("bias", bias)))
        steps = check_int("steps", steps, 2, 200)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation: expected one of {list(ACTIVATIONS)}, got {activation!r}")
        if inputs not in INPUTS:
            raise ValueError(f"inputs: expected one of {list(INPUTS)}, got {inputs!r}")
        self.w_x = ipywidgets.FloatSlider(value=w_x, description="w_x", **slider)
        self.w_h = ipywidgets.FloatSlider(value=w_h, description="w_h", **slider)
        self.bias = ipywidgets.FloatSlider(value=bias, description="b", **slider)
        self.activation = ipywidgets.Dropdown(options=ACTIVATIONS, value=activation, description="activation")
        self.steps = ipywidgets.IntSlider(value=steps, min=2, max=200, description="steps")
        self.inputs = ipywidgets.Dropdown(options=INPUTS, value=inputs, description="input")
        self._start([[self.w_x, self.w_h, self.bias], [self.activation, self.steps, self.inputs]], theme=theme,
                    dpi=dpi)
        observe(self, self.w_x, self.w_h, self.bias, self.activation, self.steps, self.inputs)

    def run(self) -> tuple[np.ndarray, NeuronRun]:
        """The input and the neuron's run for the current settings."""
        x = neuron_input(self.inputs.value, self.steps.value)
        return x, run_neuron(x, w_x=self.w_x.value, w_h=self.w_h.value, bias=self.bias.value,
                             activation=self.activation.value)

    def _draw(self, figure) -> dict:
        state_ax, gradient_ax = figure.subplots(1, 2)
        inputs = PolyCollection([], facecolors=neutral("muted"), alpha=0.6, linewidths=0, label="input x_t")
        state_ax.add_collection(inputs)
        (state_line,) = state_ax.plot([], [], "-o", color=PALETTE["h"], markersize=3, linewidth=2, label="state h_t")
        state_ax.axhline(0, color=neutral("text"), linewidth=0.8)
        state_ax.set_xlabel("step t")
        state_ax.legend(loc="upper right", frameon=False)
        (gradient_line,) = gradient_ax.plot([], [], "-o", color=PALETTE["simple_rnn"], markersize=3, linewidth=2)
        gradient_ax.axhline(1, color=neutral("text"), linewidth=0.8, linestyle=":")
        _verdict_lines(gradient_ax)
        log_axis(gradient_ax, ticks=7)
        gradient_ax.set_xlabel("steps back from the last step (T − t)")
        gradient_ax.set_ylabel("|∂h_T / ∂h_t|")
        gradient_ax.grid(True, alpha=0.3)
        artists = {"state_ax": state_ax, "gradient_ax": gradient_ax, "inputs": inputs, "state_line": state_line,
                   "gradient_line": gradient_line}
        self._move(artists)
        return artists

    def _move(self, artists) -> None:
        """New weights change the axes' limits, so the figure is drawn again (its artists are kept)."""
        x, run = self.run()
        steps = np.arange(len(x))
        artists["inputs"].set_verts(bar_outlines([x]))
        artists["state_line"].set_data(steps, np.where(np.isfinite(run.h), run.h, np.nan))
        _rescale(artists["state_ax"], np.concatenate([x, run.h]))
        artists["state_ax"].set_xlim(-0.5, len(x) - 0.5)
        back = steps  # steps back: the gradient read from the last step backwards
        gradient = run.gradient[::-1]
        shown = np.where(np.isfinite(gradient) & (gradient > 0), gradient, np.nan)
        artists["gradient_line"].set_data(back, shown)
        artists["gradient_ax"].set_ylim(*log_limits(np.append(shown, [1 / VERDICT_FACTOR, VERDICT_FACTOR])))
        artists["gradient_ax"].set_xlim(0, len(x) - 1)
        axes_title(artists["state_ax"], f"h_t = {self.activation.value}({self.w_x.value:.2f}·x_t "
                   f"{_signed(self.w_h.value)}·h_(t−1) {_signed(self.bias.value)})", _state_note(run.h))
        axes_title(artists["gradient_ax"], "how much h_T feels each earlier state", _gradient_note(run))
        return None


def _verdict_lines(ax) -> None:
    """Dashed lines at the verdict's thresholds, 1/VERDICT_FACTOR and VERDICT_FACTOR, named on the left."""
    for level, name, shift in ((1 / VERDICT_FACTOR, "below: vanishing", -2), (VERDICT_FACTOR, "above: exploding", 2)):
        ax.axhline(level, color=neutral("muted"), linewidth=1, linestyle="--")
        ax.annotate(name, (0, level), xycoords=("axes fraction", "data"), xytext=(4, shift), textcoords="offset points",
                    ha="left", va="top" if shift < 0 else "bottom", color=neutral("muted"), clip_on=True)


def _signed(value: float) -> str:
    return f"+ {value:.2f}" if value >= 0 else f"− {-value:.2f}"


def _rescale(ax, values) -> None:
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    pad = 0.1 * max(high - low, 1e-3)
    ax.set_ylim(min(low - pad, -0.1), max(high + pad, 0.1))


def _state_note(h) -> str:
    if not np.isfinite(h).all():
        return f"the state overflows float32 at step {int(np.argmax(~np.isfinite(h)))}"
    return f"after {len(h)} steps h = {h[-1]:.3g}"


def _gradient_note(run: NeuronRun) -> str:
    """What the curve shows: the median factor |w_h · f′(a_t)| per step back, and the verdict at the oldest step."""
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = run.gradient[:-1] / run.gradient[1:]
    factors = factors[np.isfinite(factors)]
    oldest, back = run.gradient[0], len(run.gradient) - 1
    low, high = f"1/{VERDICT_FACTOR:g}", f"{VERDICT_FACTOR:g}"
    reading = {"vanishing": f"below {low}: vanishing", "exploding": f"above {high}: exploding",
               "neither": f"between {low} and {high}: neither vanishing nor exploding"}[gradient_verdict(run.gradient)]
    size = f"{oldest:.2g}" if np.isfinite(oldest) else "beyond float32"
    per_step = f"×{np.median(factors):.2g} per step back" if factors.size else "0 after one step back"
    return f"{per_step} (median |w_h·f′(a_t)|); {size} after {back} steps, {reading}"
