"""Text heatmap (Karpathy's "visualizing RNNs", LSTMVis): tokens as text, each coloured by one unit's value.

The tokens of one sample are laid out as running text, wrapped into lines; the
background of each token is the colour of one unit's activation (``h`` by
default, or ``c`` or a gate) at that token's step. :func:`rank_units` finds the
units worth showing: those that follow a signal you define per step (inside a
quote, after a comma, ...) or vary the most.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.transforms import ScaledTranslation

from rnnviz.errors import check_int
from rnnviz.figures.nonfinite import HATCH, bad_values, contrasting_text, hatch_colour
from rnnviz.figures.states import (
    DIVERGING_CMAP,
    UnitRanking,
    _cmap_for,
    activation_values,
    check_sample,
    rank_units,
    select_layer,
    value_range,
)
from rnnviz.kinds import cell_kind
from rnnviz.style import axes_title, new_or_given_axes
from rnnviz.trace import ModelTrace

__all__ = ["TextHeatmapDisplay", "UnitRanking", "rank_units", "tokens_for"]

# How a token is written when the character itself would not show.
SHOWN_AS = {"\n": "↵", "\t": "⇥", "\r": "␍", "": "∅"}


def tokens_for(trace, tokens=None, *, vocabulary=None, layer=None, sample=0) -> list[str]:
    """One string per step of ``layer`` for batch row ``sample``, checked against the number of steps.

    Parameters
    ----------
    trace : ModelTrace or LayerTrace
    tokens : str, sequence of str, or sequence of such sequences (one per sample), optional
        The tokens themselves; a single string is split into characters.
    vocabulary : mapping, sequence or callable, optional
        Maps the token ids in ``trace.model_input`` (an Embedding model's input)
        to strings: ``vocabulary[id]`` or ``vocabulary(id)``.
    """
    chosen = select_layer(trace, layer)
    sample = check_sample(chosen, sample)
    if (tokens is None) == (vocabulary is None):
        raise ValueError(
            "tokens: give either tokens (one string per step) or vocabulary (to map the model input's token ids "
            f"to strings), not {'both' if tokens is not None else 'neither'}"
        )
    if vocabulary is not None:
        ids = getattr(trace, "model_input", None) if isinstance(trace, ModelTrace) else None
        if ids is None:
            raise ValueError("vocabulary: needs a ModelTrace holding model_input (token ids); give tokens instead")
        ids = np.asarray(ids)
        if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.number):
            raise ValueError(f"vocabulary: model_input must be token ids shaped (batch, time), got shape {ids.shape}")
        tokens = [_look_up(vocabulary, int(token_id), step) for step, token_id in enumerate(ids[sample])]
    elif isinstance(tokens, str):
        tokens = list(tokens)
    else:
        tokens = list(tokens)
        if tokens and not isinstance(tokens[0], str) and len(tokens) == chosen.batch_size and all(
                not isinstance(row, str) and hasattr(row, "__len__") for row in tokens):
            tokens = list(tokens[sample])
        tokens = [str(token) for token in tokens]
    if len(tokens) != chosen.steps:
        source = "the vocabulary gave" if vocabulary is not None else "got"
        raise ValueError(
            f"tokens: {source} {len(tokens)} tokens for the {chosen.steps} steps of layer {chosen.name!r}; "
            "give one string per step, padding steps included"
        )
    return tokens


def _look_up(vocabulary, token_id, step):
    try:
        if callable(vocabulary) and not isinstance(vocabulary, (Mapping, list, tuple)):
            return str(vocabulary(token_id))
        return str(vocabulary[token_id])
    except (KeyError, IndexError):
        raise ValueError(f"vocabulary: no string for token id {token_id} (step {step})") from None


class TextHeatmapDisplay:
    """One sample's tokens as wrapped text, each token's background coloured by one unit's value at its step.

    Build it with :meth:`from_trace` or :meth:`from_model`, then call :meth:`plot`.

    Parameters
    ----------
    tokens : sequence of str
        One string per step.
    values : ndarray, (time,)
        The unit's activation at each step.
    mask : ndarray of bool, (time,), optional
        True where the step was real; padding steps are drawn grey or left out.
    limits : (float, float)
        Colour limits (centred on the colour map's middle).
    activation : str
        What ``values`` are (``"h"``, ``"c"`` or a gate name), for the labels.
    unit : int
    layer_name, kind, sample, description :
        What is shown, for the title.
    """

    def __init__(self, *, tokens, values, mask=None, limits=(-1.0, 1.0), activation: str = "h", unit: int = 0,
                 layer_name: str = "", kind: str = "lstm", sample: int = 0, description: str = ""):
        cell_kind(kind)
        self.tokens = [str(token) for token in tokens]
        self.values = np.asarray(values, dtype=float)
        if self.values.shape != (len(self.tokens),):
            raise ValueError(
                f"values: expected one value per token, shape ({len(self.tokens)},), got shape {self.values.shape}")
        self.mask = np.ones(len(self.tokens), bool) if mask is None else np.asarray(mask, bool)
        if self.mask.shape != self.values.shape:
            raise ValueError(f"mask: expected shape {self.values.shape}, got {self.mask.shape}")
        self.limits = (float(limits[0]), float(limits[1]))
        self.activation = activation
        self.unit = int(unit)
        self.layer_name = layer_name
        self.kind = kind
        self.sample = sample
        self.description = description

    @classmethod
    def from_trace(cls, trace, tokens=None, *, vocabulary=None, layer=None, sample=0, unit=None, activation="h",
                   description=None):
        """Unit ``unit`` of ``activation`` in ``layer`` for batch row ``sample``, laid over its tokens.

        ``tokens`` / ``vocabulary``: see :func:`tokens_for`. ``unit`` None picks the
        unit whose ``activation`` varies most over this sample (see :func:`rank_units`).
        """
        chosen = select_layer(trace, layer)
        sample = check_sample(chosen, sample)
        words = tokens_for(trace, tokens, vocabulary=vocabulary, layer=chosen.name if isinstance(trace, ModelTrace)
                           else None, sample=sample)
        values = activation_values(chosen, activation)
        chosen_how = ""
        if unit is None:
            unit = int(rank_units(chosen, sample=sample, activation=activation, k=1).units[0])
            chosen_how = f"; unit {unit} is the one whose {activation} varies most over this sample"
        else:
            check_int("unit", unit, 0, chosen.units - 1, context=f"{chosen.name!r} has {chosen.units} units")
        series = values[sample, :, unit]
        if description is None:
            model = f"model {trace.model_name!r}, " if isinstance(trace, ModelTrace) and trace.model_name else ""
            description = (
                f"{model}layer {chosen.name!r} ({cell_kind(chosen.kind).title}, {chosen.units} units), sample {sample}, "
                f"{chosen.steps} steps; each token's background is the recorded value after reading it{chosen_how}"
            )
        return cls(tokens=words, values=series, mask=chosen.mask[sample],
                   limits=value_range(chosen, activation, series), activation=activation, unit=int(unit),
                   layer_name=chosen.name, kind=chosen.kind, sample=sample, description=description)

    @classmethod
    def from_model(cls, model, x, tokens=None, *, vocabulary=None, layer=None, sample=0, unit=None, activation="h",
                   mask=None, description=None):
        """Record ``model`` on ``x`` with :func:`rnnviz.record`, then as :meth:`from_trace`."""
        from rnnviz.recording.dispatch import record

        return cls.from_trace(record(model, x, mask=mask), tokens, vocabulary=vocabulary, layer=layer, sample=sample,
                              unit=unit, activation=activation, description=description)

    def plot(self, ax=None, *, title=True, padding="grey", fontsize=None, gap=None, cmap=DIVERGING_CMAP,
             colorbar_kw=None, **kwargs):
        """Lay the tokens out as wrapped text on ``ax`` (axis hidden), coloured by value, with a colourbar.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            None: a new figure, made as tall as the text needs.
        padding : str
            ``"grey"`` (padding steps drawn in grey, no colour) or ``"omit"``.
        fontsize : float or str, optional
            Default ``"x-large"``.
        gap : float, optional
            Space between tokens, in points; default 0 for characters, a third of
            the font size for words.
        cmap : str or Colormap, optional
            Default rnnviz's: the value map (signed limits), or a σ gate's own ramp (limits from 0).
        kwargs :
            Go to every token's ``Text`` (e.g. ``fontfamily="monospace"``).

        Keeps ``figure_``, ``ax_``, ``texts_`` (step -> Text; its bbox patch's face
        colour is ``cmap(norm(values[step]))``), ``norm_``, ``cmap_``, ``colorbar_``,
        ``bad_steps_`` (steps whose value is NaN, infinite or exploding, hatched)
        and ``line_count_``.
        """
        if padding not in ("grey", "omit"):
            raise ValueError(f"padding: expected 'grey' or 'omit', got {padding!r}")
        owned = ax is None
        self.figure_, self.ax_ = new_or_given_axes(ax, figsize=(12, 3.2))
        self.ax_.set_axis_off()
        self.norm_ = Normalize(*self.limits)
        cmap = cmap or _cmap_for(self.limits, self.activation)
        self.cmap_ = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
        label = f"{self.activation}[{self.unit}]"
        self.colorbar_ = self.figure_.colorbar(
            ScalarMappable(norm=self.norm_, cmap=self.cmap_), ax=self.ax_,
            **{"label": label, "pad": 0.01, "aspect": 10, **(colorbar_kw or {})})
        if title:
            notes = self._notes(padding)
            axes_title(self.ax_, f"Unit {self.unit} of {self.activation} in layer {self.layer_name!r}, token by token",
                       "; ".join(part for part in (self.description, notes) if part), width=110)
        self._layout(fontsize, gap, padding, owned, kwargs)
        return self

    def _notes(self, padding):
        """What grey and hatched tokens mean, for the title (only when there are some)."""
        notes = []
        if padding == "grey" and not self.mask.all():
            notes.append("grey tokens are padding (masked steps)")
        if bad_values(self.values, name="", warn=False).any():
            notes.append("hatched tokens hold NaN, infinite or exploding values")
        return "; ".join(notes)

    def _layout(self, fontsize, gap, padding, owned, text_kw):
        """Place every token (measured in inches from the axes' top left), wrapping at the axes' width.

        Character tokens wrap at whitespace when a word fits on the next line.
        """
        figure, ax = self.figure_, self.ax_
        if figure.get_layout_engine() is not None:
            figure.draw_without_rendering()  # settle the axes' size before measuring
        renderer = figure.canvas.get_renderer()
        points = mpl.font_manager.FontProperties(size=fontsize or "x-large").get_size_in_points()
        characters = all(len(token) <= 1 for token, real in zip(self.tokens, self.mask) if real)
        style = {"fontsize": points, "fontfamily": "monospace" if characters else None, **text_kw}
        pad = 0.12 * points / 72  # inches, around each token's text
        gap = (0 if characters else points / 3) / 72 if gap is None else gap / 72
        line_height = 1.45 * points / 72 + 2 * pad
        width = ax.get_window_extent(renderer).width / figure.dpi
        bad = bad_values(self.values, name=f"{self.layer_name}: {self.activation}[{self.unit}], sample {self.sample}",
                         dims=("step",), what="hatched tokens", stacklevel=4)
        self.bad_steps_ = np.flatnonzero(bad)
        self.texts_, advances = {}, {}
        muted = _mix(mpl.rcParams["text.color"], mpl.rcParams["axes.facecolor"])
        for step, token in enumerate(self.tokens):
            real = bool(self.mask[step])
            if not real and padding == "omit":
                continue
            if real and not bad[step]:
                face = self.cmap_(self.norm_(self.values[step]))
                text_colour, hatch = contrasting_text(face), None
            elif real:
                face, text_colour, hatch = mpl.rcParams["axes.facecolor"], mpl.rcParams["text.color"], HATCH
            else:
                face, text_colour, hatch = _mix(muted, mpl.rcParams["axes.facecolor"], 0.25), muted, None
            text = ax.text(0, 1, SHOWN_AS.get(token, token), va="top", ha="left", color=text_colour, clip_on=False,
                           bbox={"boxstyle": f"square,pad={pad * 72 / points:.3f}", "facecolor": face,
                                 "edgecolor": hatch_colour() if hatch else "none", "linewidth": 0, "hatch": hatch},
                           **{key: value for key, value in style.items() if value is not None})
            text.set_in_layout(False)
            self.texts_[step] = text
            advances[step] = text.get_window_extent(renderer).width / figure.dpi + 2 * pad + gap
        steps = list(self.texts_)
        x, line = 0.0, 0
        for position, step in enumerate(steps):
            ahead = advances[step]
            if characters and position and self.tokens[steps[position - 1]].isspace():
                # the whole word from here to the next whitespace, so that it moves to a new line in one piece
                for following in steps[position + 1:]:
                    if self.tokens[following].isspace():
                        break
                    ahead += advances[following]
                ahead = ahead if ahead <= width else advances[step]
            if x > 0 and x + ahead - gap > width:
                x, line = 0.0, line + 1
            self.texts_[step].set_transform(
                ax.transAxes + ScaledTranslation(x + pad, -line * line_height - pad, figure.dpi_scale_trans))
            x += advances[step]
            if self.tokens[step] == "\n":
                x, line = 0.0, line + 1
        self.line_count_ = line + 1 if steps else 0
        needed = self.line_count_ * line_height + pad
        available = ax.get_window_extent(renderer).height / figure.dpi
        if owned:  # fit the figure to the text, keeping room for the colourbar
            height = max(figure.get_figheight() + needed - available + 0.1, 2.6)
            figure.set_size_inches(figure.get_figwidth(), height)
        elif needed > available:
            warnings.warn(
                f"ax: the text needs {needed:.1f} in of height ({self.line_count_} lines) but the axes has "
                f"{available:.1f} in; the last lines run below it. Give a taller axes or a smaller fontsize.",
                UserWarning, stacklevel=3)


def _mix(first, second, share_first=0.5) -> str:
    first, second = (np.asarray(mpl.colors.to_rgb(colour)) for colour in (first, second))
    return mpl.colors.to_hex(share_first * first + (1 - share_first) * second)
