"""States and gates over time for one sample: the recorded numbers of one recurrent layer, as slide figures.

- :class:`GateTimelineDisplay`: every gate as a heatmap over (time, units), the input above.
- :class:`StateHeatmapDisplay`: ``h`` (and ``c`` for the LSTM kinds) as heatmaps, centred at 0.
- :class:`StateTrajectoriesDisplay`: a few units' ``h`` (and ``c``) as lines over time.
- :func:`rank_units`: the units that follow a per-step signal best, or vary the most.

Every cell and every line point is a value of the trace. Units run down the y
axis (unit 0 at the top), time along x; steps the mask marks as padding are
greyed; NaN, infinite or exploding values are hatched and marked (see
:mod:`rnnviz.figures.nonfinite`).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.ticker import FixedLocator, MaxNLocator

from rnnviz.diagrams.architecture import INPUT_NAME, read_name, stages_from_trace
from rnnviz.errors import InputError, check_int
from rnnviz.figures.nonfinite import EXPLODING_THRESHOLD, contrasting_text, finite_or_marked, heatmap, symmetric_limit
from rnnviz.kinds import CELL_KINDS, CUSTOM_KIND, STATE_MEANINGS, cell_kind  # noqa: F401 (STATE_MEANINGS re-exported)
from rnnviz.mpl.strips import ramp_map, value_map
from rnnviz.style import PALETTE, VALUE_COLOURS, color, figure_title, neutral, new_or_given_panels
from rnnviz.trace import LayerTrace, ModelTrace
from rnnviz.views.selection import check_sample, check_step, select_layer, shown_layer_name  # noqa: F401 (re-exported)

SIGMOID_LIKE = ("sigmoid", "hard_sigmoid")
TANH_LIKE = ("tanh", "softsign")
# Colour maps made when a figure is drawn (they fade to the theme's background): None picks rnnviz's own.
GATE_CMAP = None  # a σ gate in [0, 1]: the background (shut) to its own palette colour (open)
DIVERGING_CMAP = None  # values centred at 0: the value map (rnnviz.mpl.strips.value_map), blue − / vermilion +
INPUT_CMAP = None  # inputs are values too: the value map
INPUT_PANEL = "x"  # key of the input panel in axes_ and markers_ (an LSTM has an "input" gate)
MAX_INPUT_LINES = 6  # more input features than this are drawn as a heatmap
# Lines told apart by index only (input features, units): neutrals, told apart by dashes and direct labels.
LINE_COLOURS = ("text", "muted")
LINE_STYLES = ("-", "--", ":", "-.")

# ---------------------------------------------------------------- reading traces


def activation_values(layer: LayerTrace, activation: str) -> np.ndarray:
    """The ``(batch, time, units)`` array called ``activation``: a state (``"h"``, ``"c"``) or a gate name."""
    if activation in layer.states:
        return layer.states[activation]
    if activation in layer.gates:
        return layer.gates[activation]
    known = [*layer.states, *layer.gates]
    raise ValueError(f"activation: layer {layer.name!r} ({layer.kind}) has no {activation!r}; expected one of {known}")


def value_range(layer: LayerTrace, activation: str, values) -> tuple[float, float]:
    """The colour limits for ``activation``: its function's range when bounded, else symmetric from the data.

    Sigmoid gates: (0, 1); tanh candidate and tanh ``h``: (-1, 1); ``c`` and
    anything under another activation: ``(-m, m)`` with ``m`` the largest good magnitude.
    """
    config = layer.config or {}
    if activation in layer.gates:
        if activation == "candidate":
            function = config.get("activation", "tanh")
        else:
            function = config.get("recurrent_activation", "sigmoid")
        if function in SIGMOID_LIKE:
            return (0.0, 1.0)
        if function in TANH_LIKE:
            return (-1.0, 1.0)
    elif activation == "h" and config.get("activation", "tanh") in TANH_LIKE:
        good = np.asarray(values, float)
        good = good[np.isfinite(good)]
        if not good.size or np.abs(good).max() <= 1.0:  # also needs a bounded initial state
            return (-1.0, 1.0)
    limit = symmetric_limit(values)
    return (-limit, limit)


class UnitRanking(NamedTuple):
    """Units, best first, with their scores (Pearson r with the signal, or variance over time)."""

    units: np.ndarray
    scores: np.ndarray


def rank_units(trace, signal=None, *, layer=None, sample=None, activation="h", k=5) -> UnitRanking:
    """The ``k`` units that follow ``signal`` most closely, or (no signal) vary the most over time.

    Use it to find a unit worth showing, e.g. the one that is high inside quotes::

        inside = np.cumsum([token == '"' for token in tokens]) % 2  # 1 inside quotes
        units, r = rank_units(trace, inside, layer="lstm")

    Parameters
    ----------
    trace : ModelTrace or LayerTrace
    signal : array-like, (time,) or (batch, time), optional
        A number per step. ``(time,)`` is compared with one sample (``sample``,
        default 0); ``(batch, time)`` with every sample, pooled (or ``sample``'s row).
        Units are scored by Pearson correlation over real (unmasked, finite) steps
        and ranked by its magnitude; the sign is kept in the scores.
    layer : str or int, optional
    sample : int, optional
        Without a signal: the sample whose variance over time counts; default the
        mean over samples of each sample's variance over its real steps.
    activation : str
        ``"h"``, ``"c"`` or a gate name.
    k : int or None
        How many units to return; None for all.
    """
    trace = select_layer(trace, layer)
    values = np.asarray(activation_values(trace, activation), dtype=float)
    mask = trace.mask
    if signal is not None:
        signal = np.asarray(signal, dtype=float)
        if signal.shape == (trace.steps,):
            signal = signal[None]
            sample = 0 if sample is None else sample
        elif signal.shape != (trace.batch_size, trace.steps):
            raise ValueError(
                f"signal: expected one number per step, shape ({trace.steps},), or per sample and step, shape "
                f"{(trace.batch_size, trace.steps)}; got shape {signal.shape}"
            )
        elif sample is not None:
            signal = signal[[check_sample(trace, sample)]]
    if sample is not None:
        index = check_sample(trace, sample)
        values, mask = values[[index]], mask[[index]]
    good = mask[..., None] & np.isfinite(values) & (np.abs(values) <= EXPLODING_THRESHOLD)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if signal is None:
            scores = np.nanmean(np.nanvar(np.where(good, values, np.nan), axis=1), axis=0)
            magnitude = scores
        else:
            good &= np.isfinite(signal)[..., None]
            scores = np.array([_correlation(signal[good[..., unit]], values[..., unit][good[..., unit]])
                               for unit in range(trace.units)])
            magnitude = np.abs(scores)
    order = np.argsort(-np.nan_to_num(magnitude, nan=-np.inf), kind="stable")
    if k is not None:
        order = order[: check_int("k", k, 1, context="how many units to return")]
    return UnitRanking(units=order, scores=scores[order])


def _correlation(a, b) -> float:
    """Pearson r, 0 when either side is constant or there are fewer than 2 points."""
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def _describe(layer: LayerTrace, sample: int, drawn: str = "colour") -> str:
    return (
        f"{_layer_words(layer.name, layer.kind)}, {layer.units} units, "
        f"sample {sample} of {layer.batch_size}, {layer.steps} steps; every {drawn} is a recorded value"
    )


def _layer_words(name: str, kind: str) -> str:
    """``LSTM`` or ``LSTM layer 'encoder'``: the kind's title, and the layer's name where it says more."""
    shown = shown_layer_name(name, kind)
    return f"{cell_kind(kind).title} layer {shown!r}" if shown else cell_kind(kind).title


# ---------------------------------------------------------------- shared drawing


class _OneSampleDisplay:
    """What every one-sample display holds and draws: the layer's input above, padding greyed, integer time.

    A display says what differs: ``panels`` (``"gates"`` or ``"states"``: the constructor
    argument and attribute holding one ``(time, units)`` array per panel), what it
    computes from the layer (:meth:`_from_layer`), its layout (:meth:`_layout`), how its
    panels are drawn (:meth:`_draw_panels`) and its heading (:meth:`_heading`).

    Set ``input_names`` (one name per input feature) to name the input lines instead of ``x[0]``, ``x[1]``, ...
    ``input_label`` names the input panel: what the layer reads, in the unrolled figure's words (``"input x"``,
    or ``"x − today"`` for a forecaster's differenced input); :meth:`from_trace` reads it from the model.
    """

    input_names = None
    input_label = INPUT_NAME
    panels = "states"
    drawn = "colour"  # what one recorded value is drawn as, for the description

    @classmethod
    def from_trace(cls, trace, layer=None, sample=0, *, description=None, **options):
        """The gates or states (``panels``) of ``layer`` (name or index; default the first) for batch row ``sample``."""
        chosen = select_layer(trace, layer)
        sample = check_sample(chosen, sample)
        arrays = {name: values[sample] for name, values in cls._layer_arrays(chosen).items()}
        computed, note = cls._from_layer(chosen, sample, arrays, **options)
        if description is None:
            description = _describe(chosen, sample, cls.drawn) + note
        display = cls(**{cls.panels: arrays}, **computed, inputs=chosen.inputs[sample], mask=chosen.mask[sample],
                      kind=chosen.kind, layer_name=chosen.name, sample=sample, description=description)
        if isinstance(trace, ModelTrace):
            display.input_label = read_name(stages_from_trace(trace), chosen.name)
        return display

    @classmethod
    def _layer_arrays(cls, layer: LayerTrace) -> dict:
        """The ``(batch, time, units)`` array of each panel, in drawing order."""
        return {name: layer.states[name] for name in layer.state_names}

    @classmethod
    def _from_layer(cls, layer: LayerTrace, sample: int, arrays: dict) -> tuple[dict, str]:
        """More constructor arguments from the layer (default the colour limits), and a note for the description."""
        return {"limits": {name: value_range(layer, name, values) for name, values in arrays.items()}}, ""

    @classmethod
    def from_model(cls, model, x, layer=None, sample=0, *, mask=None, **options):
        """Record ``model`` on ``x`` with :func:`rnnviz.record`, then :meth:`from_trace` (``options`` go there)."""
        from rnnviz.recording.dispatch import record

        return cls.from_trace(record(model, x, mask=mask), layer=layer, sample=sample, **options)

    def _heatmap_panel(self, panel, name, values, *, cmap, what, label, meaning, **kwargs):
        """``values`` (time, units) as a heatmap on ``panel``, units down; keeps its image, markers and label."""
        self.images_[name], self.markers_[name] = heatmap(
            panel, values.T, name=f"{self.layer_name}: {what}, sample {self.sample}",
            norm=Normalize(*self.limits[name]), cmap=cmap, **kwargs)
        _unit_ticks(panel, values.shape[1])
        panel.set_ylabel("unit")
        self.labels_[name] = _label_panel(panel, name, label, meaning)

    def _init_common(self, arrays, *, inputs, mask, kind, layer_name, sample, description) -> dict:
        """Check and keep what every display holds; returns the panels' ``arrays`` as float arrays."""
        cell_kind(kind)
        self.inputs = np.asarray(inputs, dtype=float)
        if self.inputs.ndim == 1:
            self.inputs = self.inputs[:, None]
        if self.inputs.ndim != 2:
            raise ValueError(f"inputs: expected (time, features) for one sample, got shape {self.inputs.shape}")
        steps = self.inputs.shape[0]
        self.mask = np.ones(steps, bool) if mask is None else np.asarray(mask, dtype=bool)
        if self.mask.shape != (steps,):
            raise ValueError(f"mask: expected shape ({steps},), one flag per step, got {self.mask.shape}")
        self.kind = kind
        self.layer_name = layer_name
        self.sample = sample
        self.description = description
        if not arrays:
            raise ValueError(f"{self.panels}: expected at least one {self.panels[:-1]} array")
        arrays = {name: np.asarray(values, dtype=float) for name, values in arrays.items()}
        for name, values in arrays.items():
            if values.ndim != 2 or values.shape[0] != self.steps:
                raise ValueError(f"{self.panels}[{name!r}]: expected (time={self.steps}, units), "
                                 f"got shape {values.shape}")
        return arrays

    @property
    def steps(self) -> int:
        return self.inputs.shape[0]

    def _plot(self, ax, *, title, show_input, input_kw, mask_kw, **kwargs):
        """The panels (the input first when ``show_input``), padding greyed, the time axis and the title."""
        names = list(getattr(self, self.panels))
        height_ratios, figsize = self._layout(show_input)
        what = f"the input, then one per {self.panels[:-1]}" if show_input else f"one per {self.panels[:-1]}"
        axes = self._panels(ax, names, show_input=show_input, what=what, height_ratios=height_ratios, figsize=figsize)
        if show_input:
            self._draw_input(axes[INPUT_PANEL], input_kw)
        self._draw_panels(axes, names, **kwargs)
        self._shade_padding(mask_kw)
        self._format_time()
        if title:
            self._title(self._heading())
        return self

    def _panels(self, ax, names, *, show_input, what, height_ratios, figsize):
        labels = ([INPUT_PANEL] if show_input else []) + list(names)
        input_ratio = height_ratios[0] if self.inputs.shape[1] <= MAX_INPUT_LINES else max(height_ratios[0], 1.0)
        ratios = ([input_ratio] if show_input else []) + [height_ratios[1]] * len(names)
        subplot_kw = {"sharex": True, "gridspec_kw": {"height_ratios": ratios}} if ax is None else {}
        figure, axes = new_or_given_panels(ax, len(labels), what=what, figsize=figsize, nrows=len(labels), **subplot_kw)
        self.figure_ = figure
        self.axes_ = dict(zip(labels, axes))
        self.markers_, self.labels_ = {}, {}
        return self.axes_

    def _input_name(self, feature: int, features: int) -> str:
        if self.input_names is None:
            return "x" if features == 1 else f"x[{feature}]"
        if len(self.input_names) != features:
            raise InputError(f"input_names: expected one name per input feature ({features}), "
                             f"got {len(self.input_names)}: {list(self.input_names)}")
        return f"x[{feature}]: {self.input_names[feature]}"

    def _draw_input(self, ax, input_kw):
        """The sample's input over time: lines (few features) or a heatmap (many); keeps the artists."""
        features = self.inputs.shape[1]
        self.input_lines_, self.input_image_ = [], None
        name = f"{self.layer_name}: input, sample {self.sample}"
        if features <= MAX_INPUT_LINES:
            looks = [{"color": mpl.rcParams["text.color"], "linestyle": "-"} if features == 1 else _index_style(feature)
                     for feature in range(features)]
            colours = [look["color"] for look in looks]
            shown, self.markers_[INPUT_PANEL] = finite_or_marked(ax, self.inputs, name=name, dims=("step", "feature"),
                                                                 layout="lines", colors=colours)
            steps = np.arange(self.steps)
            for feature in range(features):
                style = {**looks[feature], "linewidth": 2, "marker": "o" if self.steps <= 60 else None,
                         "markersize": 3, "label": self._input_name(feature, features), **(input_kw or {})}
                (line,) = ax.plot(steps, shown[:, feature], **style)
                self.input_lines_.append(line)
            ax.set_ylabel(self.input_label)
            if features > 1:
                ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=features, frameon=False, fontsize="small",
                          borderaxespad=0.1)
        else:
            limit = symmetric_limit(self.inputs)
            self.input_image_, self.markers_[INPUT_PANEL] = heatmap(
                ax, self.inputs.T, name=name, dims=("feature", "step"), norm=Normalize(-limit, limit),
                cmap=INPUT_CMAP or value_map(name="inputs"),
                **(input_kw or {}))
            ax.set_ylabel("input\nfeature")
            ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
            self.figure_.colorbar(self.input_image_, ax=ax, label="input value", pad=0.01)
        what = "" if self.input_label == INPUT_NAME else " (the layer's input)"
        ax.set_title(f"{self.input_label} at each step{what}", loc="left", fontsize="medium")

    def _shade_padding(self, mask_kw):
        """Grey out the steps the mask marks as padding, on every panel; keeps ``mask_spans_``."""
        self.mask_spans_ = []
        for start, stop in _false_runs(self.mask):
            for panel in self.axes_.values():
                style = {"facecolor": mpl.rcParams["axes.facecolor"], "alpha": 0.65, "hatch": "//",
                         "edgecolor": _muted(), "linewidth": 0, "zorder": 3, **(mask_kw or {})}
                self.mask_spans_.append(panel.axvspan(start - 0.5, stop - 0.5, **style))
            first = next(iter(self.axes_.values()))
            first.text((start + stop - 1) / 2, 0.96, "padding", transform=first.get_xaxis_transform(),
                       ha="center", va="top", fontsize="small", color=mpl.rcParams["text.color"], zorder=4)

    def _format_time(self):
        panels = list(self.axes_.values())
        for panel in panels:
            panel.set_xlim(-0.5, self.steps - 0.5)
            panel.xaxis.set_major_locator(MaxNLocator(integer=True, nbins="auto" if self.steps > 12 else self.steps))
        panels[-1].set_xlabel("time step t")

    def _title(self, heading):
        figure_title(self.figure_, heading, self.description)


def _unit_ticks(ax, units):
    """Whole-number unit ticks, as many as fit the panel's height at its font size (every unit when there is room)."""
    if units <= 3:  # every unit (MaxNLocator would fall back to fractions with fewer than two whole numbers in view)
        ax.yaxis.set_major_locator(FixedLocator(range(units)))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))


def _false_runs(mask):
    """``(start, stop)`` of each run of False in ``mask``."""
    padded = np.concatenate([[False], ~np.asarray(mask, bool), [False]]).astype(int)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2]))


def _muted():
    return mpl.colors.to_hex((np.asarray(mpl.colors.to_rgb(mpl.rcParams["text.color"]))
                              + mpl.colors.to_rgb(mpl.rcParams["axes.facecolor"])) / 2)


def _index_style(position) -> dict:
    """The colour and dashes of line ``position`` among lines told apart by index only (neutrals × dashes)."""
    return {"color": neutral(LINE_COLOURS[position % len(LINE_COLOURS)]),
            "linestyle": LINE_STYLES[position // len(LINE_COLOURS) % len(LINE_STYLES)]}


def _cmap_for(limits, name=None):
    """A colour map for ``limits``: a σ gate's own ramp (background to its palette colour), another value that is never
    negative on the positive half of the value map, and a signed value on the whole value map."""
    if limits[0] >= 0:
        gate = name in {gate for kind in CELL_KINDS.values() for gate in kind.gates}  # else: magnitudes (half the map)
        return GATE_CMAP or ramp_map(PALETTE[name] if gate else VALUE_COLOURS["positive"], name=f"{name} gate")
    return DIVERGING_CMAP or value_map()


def _name_box(name):
    """A bbox filled with ``name``'s palette colour, for a gate or state label (a custom cell's own states, which
    have none: the custom cell's colour)."""
    fill = color(name) if name in PALETTE else color(CUSTOM_KIND.name)
    return {"boxstyle": "round,pad=0.25", "facecolor": fill, "edgecolor": "none"}, contrasting_text(fill)


def _fitted_meaning(ax, label, meaning):
    """``meaning`` cut (at a clause, else with "…") to fit beside ``label`` across the panel's width."""
    from matplotlib.font_manager import FontProperties

    small, medium = (FontProperties(size=size).get_size_in_points() for size in ("small", "medium"))
    free = ax.get_position().width * ax.figure.get_size_inches()[0] * 72 - (len(label) + 4) * 0.62 * medium
    fits = int(free / (0.55 * small))
    if len(meaning) <= fits:
        return meaning
    for cut in (", ", " ("):
        end = meaning.rfind(cut, 0, fits)
        if end > 0:
            return meaning[:end]
    return meaning[: max(fits - 1, 0)] + "…"


def _state_label(name):
    """``(label, meaning)`` of a state's panel: ``("hidden state h", "what the layer outputs at each step")``."""
    return tuple(STATE_MEANINGS.get(name, f"{name}: ").split(": ", 1))


def _label_panel(ax, name, label, meaning):
    """The panel's name in a box of its palette colour (left) and what it means (right); returns the name's Text."""
    box, text_colour = _name_box(name)
    ax.set_title(_fitted_meaning(ax, label, meaning), loc="right", fontsize="small", color=_muted())
    return ax.set_title(label, loc="left", bbox=box, color=text_colour, fontweight="bold", fontsize="medium")


# ---------------------------------------------------------------- gates


class GateTimelineDisplay(_OneSampleDisplay):
    """Every gate of one layer for one sample, as heatmaps over (time, units), with the input above.

    Build it with :meth:`from_trace` or :meth:`from_model`, then call :meth:`plot`.

    Parameters
    ----------
    gates : dict of str to ndarray, (time, units)
        Gate activations of one sample, in drawing order.
    inputs : ndarray, (time, features)
        The layer's input for that sample.
    mask : ndarray of bool, (time,), optional
        True where the step was real.
    kind : str
        The cell kind (for the gates' meanings).
    limits : dict of str to (float, float), optional
        Colour limits per gate; default (0, 1) and (-1, 1) for ``"candidate"``.
    layer_name, sample, description :
        What is shown, for the titles.
    """

    panels = "gates"

    def __init__(self, *, gates: dict, inputs, mask=None, kind: str = "lstm", limits=None, layer_name: str = "",
                 sample: int = 0, description: str = ""):
        self.gates = self._init_common(gates, inputs=inputs, mask=mask, kind=kind, layer_name=layer_name,
                                       sample=sample, description=description)
        default = {name: (-1.0, 1.0) if name == "candidate" else (0.0, 1.0) for name in self.gates}
        self.limits = {**default, **(limits or {})}

    @classmethod
    def _layer_arrays(cls, layer):
        if not layer.gates:
            raise ValueError(
                f"layer: {layer.name!r} is a {cell_kind(layer.kind).title}, which has no gates; "
                "draw its states with StateHeatmapDisplay or StateTrajectoriesDisplay"
            )
        return {name: layer.gates[name] for name in layer.gate_names}

    def plot(self, ax=None, *, title=True, show_input=True, input_kw=None, mask_kw=None, colorbar_kw=None, **kwargs):
        """One heatmap per gate (units down, time across), the input above, one colourbar per colour scale.

        ``ax``: None (a new figure) or one axes per panel (the input first when
        ``show_input``, then one per gate). ``kwargs`` go to the gates' ``imshow``.
        Keeps ``figure_``, ``axes_`` (by ``"x"`` for the input and by gate name), ``images_``
        (by gate; ``get_array()`` is ``gates[name].T``), ``colorbars_`` (one per
        colour scale, spanning all gate panels, by the scale's first gate), ``input_lines_`` or ``input_image_``,
        ``mask_spans_``, ``markers_`` (non-finite markers by panel, or None) and
        ``labels_`` (each gate's name, boxed in its palette colour).
        """
        return self._plot(ax, title=title, show_input=show_input, input_kw=input_kw, mask_kw=mask_kw,
                          colorbar_kw=colorbar_kw, **kwargs)

    def _layout(self, show_input):
        units = max(values.shape[1] for values in self.gates.values())
        return (0.8, min(1.6, 0.5 + 0.1 * units)), (12, 1.6 + 1.45 * (len(self.gates) + show_input))

    def _draw_panels(self, axes, names, *, colorbar_kw=None, cmap=None, **kwargs):
        self.images_ = {}
        cmaps = {name: cmap or _cmap_for(self.limits[name], name) for name in names}
        meanings = cell_kind(self.kind).gate_meanings
        for name in names:
            self._heatmap_panel(axes[name], name, self.gates[name], cmap=cmaps[name], what=f"{name} gate",
                                label=name if name == "candidate" else f"{name} gate",
                                meaning=meanings.get(name, ""), **kwargs)
        self.colorbars_ = {}
        scales = {}  # (limits, colour map's name) -> the gates drawn on it, in order
        for name in names:
            scales.setdefault((self.limits[name], getattr(cmaps[name], "name", cmaps[name])), []).append(name)
        for members in scales.values():
            label = ", ".join(members) + (" gate" if members != ["candidate"] else "") + ("s" if len(members) > 1 else "")
            # a scale shared by several gates: its colourbar spans every gate panel, tall enough for its label, and it
            # holds for all of them; a gate on a scale of its own (its own ramp): its bar beside its panel, unlabelled
            # (the panel's name box names it)
            shared = len(members) > 1 or len(names) == 1
            self.colorbars_[members[0]] = self.figure_.colorbar(
                self.images_[members[0]], ax=[axes[name] for name in (names if shared else members)],
                **{"label": label.replace("candidate gates", "candidates") if shared else "", "pad": 0.01,
                   "aspect": 25 if shared else 6, **(colorbar_kw or {})})

    def _heading(self):
        return f"{_layer_words(self.layer_name, self.kind)}: its gates over time, sample {self.sample}"


# ---------------------------------------------------------------- states


class StateHeatmapDisplay(_OneSampleDisplay):
    """The hidden state ``h`` (and cell state ``c`` for the LSTM kinds) of one sample as heatmaps over (time, units).

    A diverging colour map centred at 0: ``h`` of a tanh layer on (-1, 1), ``c``
    (unbounded) on symmetric limits from its own values.

    Parameters
    ----------
    states : dict of str to ndarray, (time, units)
    inputs : ndarray, (time, features)
    mask : ndarray of bool, (time,), optional
    kind : str
    limits : dict of str to (float, float), optional
        Colour limits per state; default symmetric from the data.
    layer_name, sample, description :
        What is shown, for the titles.
    """

    def __init__(self, *, states: dict, inputs, mask=None, kind: str = "lstm", limits=None, layer_name: str = "",
                 sample: int = 0, description: str = ""):
        self.states = self._init_common(states, inputs=inputs, mask=mask, kind=kind, layer_name=layer_name,
                                        sample=sample, description=description)
        default = {}
        for name, values in self.states.items():
            limit = symmetric_limit(values)
            default[name] = (-limit, limit)
        self.limits = {**default, **(limits or {})}

    def plot(self, ax=None, *, title=True, show_input=True, input_kw=None, mask_kw=None, colorbar_kw=None, **kwargs):
        """One heatmap per state (units down, time across), each with its colourbar; the input above.

        ``ax``: None or one axes per panel (the input first when ``show_input``).
        ``kwargs`` go to ``imshow``. Keeps ``figure_``, ``axes_``, ``images_`` (by
        state; ``get_array()`` is ``states[name].T``), ``colorbars_`` (by state),
        ``input_lines_`` or ``input_image_``, ``mask_spans_``, ``markers_`` and ``labels_``.
        """
        return self._plot(ax, title=title, show_input=show_input, input_kw=input_kw, mask_kw=mask_kw,
                          colorbar_kw=colorbar_kw, **kwargs)

    def _layout(self, show_input):
        units = max(values.shape[1] for values in self.states.values())
        return (0.7, min(2.2, 0.6 + 0.12 * units)), (12, 1.8 + 2.2 * len(self.states) + 1.3 * show_input)

    def _draw_panels(self, axes, names, *, colorbar_kw=None, cmap=DIVERGING_CMAP, **kwargs):
        self.images_, self.colorbars_ = {}, {}
        cmap = cmap or value_map()
        for name in names:
            label, meaning = _state_label(name)
            self._heatmap_panel(axes[name], name, self.states[name], cmap=cmap, what=f"state {name}", label=label,
                                meaning=meaning, **kwargs)
            self.colorbars_[name] = self.figure_.colorbar(
                self.images_[name], ax=axes[name], **{"label": name, "pad": 0.01, **(colorbar_kw or {})})

    def _heading(self):
        return f"{_layer_words(self.layer_name, self.kind)}: its states over time, sample {self.sample}"


class StateTrajectoriesDisplay(_OneSampleDisplay):
    """A few units' ``h`` (and ``c`` for the LSTM kinds) over time, one line each, with the input above.

    Parameters
    ----------
    states : dict of str to ndarray, (time, units)
        All units of one sample; :meth:`plot` draws the columns in ``units``.
    units : sequence of int
        The units to draw.
    inputs, mask, kind, layer_name, sample, description :
        As for :class:`StateHeatmapDisplay`.
    """

    drawn = "point"

    def __init__(self, *, states: dict, units, inputs, mask=None, kind: str = "lstm", layer_name: str = "",
                 sample: int = 0, description: str = ""):
        self.states = self._init_common(states, inputs=inputs, mask=mask, kind=kind, layer_name=layer_name,
                                        sample=sample, description=description)
        available = min(values.shape[1] for values in self.states.values())
        self.units = [int(unit) for unit in np.atleast_1d(units)]
        if not self.units or any(not 0 <= unit < available for unit in self.units):
            raise ValueError(f"units: expected unit indices in 0..{available - 1}, got {list(np.atleast_1d(units))}")

    @classmethod
    def from_trace(cls, trace, layer=None, sample=0, *, units=None, k=5, description=None):
        """``units`` of ``layer`` for batch row ``sample``; default the ``k`` whose ``h`` varies most over time."""
        return super().from_trace(trace, layer, sample, units=units, k=k, description=description)

    @classmethod
    def _from_layer(cls, layer, sample, arrays, *, units=None, k=5):
        if units is not None:
            return {"units": units}, ""
        units = rank_units(layer, sample=sample, k=min(k, layer.units)).units
        return {"units": units}, f"; the {len(units)} units whose h varies most over this sample's real steps"

    def plot(self, ax=None, *, title=True, show_input=True, input_kw=None, mask_kw=None, legend_kw=None, **kwargs):
        """One line per chosen unit in each state's panel, the same colour for a unit in every panel.

        ``ax``: None or one axes per panel (the input first when ``show_input``).
        ``kwargs`` go to the units' lines. Keeps ``figure_``, ``axes_``, ``lines_``
        (by ``(state, unit)``; y data is ``states[state][:, unit]``), ``legend_``,
        ``input_lines_`` or ``input_image_``, ``mask_spans_``, ``markers_`` and ``labels_``.
        """
        return self._plot(ax, title=title, show_input=show_input, input_kw=input_kw, mask_kw=mask_kw,
                          legend_kw=legend_kw, **kwargs)

    def _layout(self, show_input):
        return (0.7, 1.3), (12, 1.6 + 2.4 * len(self.states) + 1.4 * show_input)

    def _draw_panels(self, axes, names, *, legend_kw=None, **kwargs):
        self.lines_ = {}
        steps = np.arange(self.steps)
        for name in names:
            panel = axes[name]
            styles = [{**_index_style(position), "linewidth": 2,
                       "label": f"unit {unit}", **kwargs} for position, unit in enumerate(self.units)]
            shown, self.markers_[name] = finite_or_marked(
                panel, self.states[name][:, self.units], name=f"{self.layer_name}: state {name}, sample {self.sample}",
                dims=("step", "unit"), coords=(None, self.units), layout="lines",
                colors=[style["color"] for style in styles])
            for position, (unit, style) in enumerate(zip(self.units, styles)):
                (self.lines_[name, unit],) = panel.plot(steps, shown[:, position], **style)
            panel.axhline(0, color=_muted(), linewidth=0.8, zorder=0)
            panel.set_ylabel(name)
            self.labels_[name] = _label_panel(panel, name, *_state_label(name))
        self.legend_ = axes[names[0]].legend(
            **{"loc": "upper left", "bbox_to_anchor": (1.005, 1), "frameon": False, **(legend_kw or {})})

    def _heading(self):
        return f"{_layer_words(self.layer_name, self.kind)}: {len(self.units)} units over time, sample {self.sample}"
