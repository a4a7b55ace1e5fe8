"""1D convolutions: the input steps one output of a Conv1D stack sees, and the order global pooling forgets."""

from __future__ import annotations

from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize, to_rgb
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from rnnviz.errors import InputError
from rnnviz.mpl.fonts import ensure_shipped_fonts
from rnnviz.mpl.layout import constrained_layout
from rnnviz.mpl.receptive_field import ReceptiveFieldPainter
from rnnviz.mpl.strips import colour_map
from rnnviz.style import drawn_width, figure_title, fitted_to_figure, neutral, new_or_given_panels, slide_size
from rnnviz.views.pooling import pooling_view, swapped_patterns
from rnnviz.views.receptive_field import ReceptiveFieldView, receptive_field_view


class ReceptiveFieldDisplay(ReceptiveFieldPainter):
    """Rows of positions, from the input to the last Conv1D layer; the boxes one output sees filled, with lines
    from each to the positions it reads.

    Parameters: the fields of :class:`~rnnviz.views.receptive_field.ReceptiveFieldView`; ``view`` holds them.
    Build it with :meth:`from_layers`.
    """

    def __init__(self, *, kernel_sizes, strides, dilations, padding, lengths, output, seen, padding_seen, links,
                 pads):
        super().__init__(ReceptiveFieldView(kernel_sizes=tuple(kernel_sizes), strides=tuple(strides),
                                            dilations=tuple(dilations), padding=padding, lengths=tuple(lengths),
                                            output=int(output), seen=tuple(seen), padding_seen=tuple(padding_seen),
                                            links=tuple(links), pads=tuple(pads)))

    @classmethod
    def from_view(cls, view: ReceptiveFieldView):
        display = cls.__new__(cls)
        ReceptiveFieldPainter.__init__(display, view)
        return display

    @classmethod
    def from_layers(cls, kernel_size=3, *, layers=None, strides=1, dilations=1, padding="valid", steps=None,
                    output=-1):
        """The stack of Conv1D layers with these settings (an int: every layer; a sequence: one per layer).

        See :func:`rnnviz.views.receptive_field.receptive_field_view`; e.g.
        ``from_layers(3, dilations=(1, 2, 4), padding="causal")`` is WaveNet's stack: one output sees 15 steps.
        """
        return cls.from_view(receptive_field_view(kernel_size, layers=layers, strides=strides, dilations=dilations,
                                                  padding=padding, steps=steps, output=output))

    def __getattr__(self, name):  # the view's fields and derived values (seen, steps, heading, ...)
        if name == "view":
            raise AttributeError(name)
        return getattr(self.view, name)


class PoolingDisplay:
    """Two sequences, one Conv1D's feature maps of each, and their global max- and average-pooled features, written
    as numbers: the same two patterns in opposite orders give the same pooled features.

    Parameters (computed arrays; or build it with :meth:`from_lesson`, the trained forecaster's Conv1D, or
    :meth:`from_conv`, any Keras Conv1D): ``sequences`` (2, steps); ``names`` (two str); ``feature_maps``
    (2, positions, filters); ``max_pooled``, ``average_pooled`` (2, filters); ``kernel_size``, ``stride`` (the
    Conv1D's, padding "valid"); ``filters``: how many to draw (the most active) or their indices; ``description``
    (the subtitle); ``heading`` (the title). ``view`` (a :class:`~rnnviz.views.pooling.PoolingView`) holds them.
    """

    HEADING = "Global pooling forgets order: both sequences give the same features"

    def __init__(self, *, sequences, names, feature_maps, max_pooled, average_pooled, kernel_size, stride=1,
                 filters=3, description="", heading=HEADING):
        self.view = pooling_view(sequences, feature_maps, max_pooled, average_pooled, kernel_size=kernel_size,
                                 stride=stride, names=names, filters=filters, description=description)
        self.heading = heading

    @classmethod
    def from_conv(cls, conv, sequences=None, *, names=None, filters=3, description=None, what="A Conv1D"):
        """Run ``sequences`` (default: a peak then a dip, and the other order) through the Keras Conv1D ``conv``
        and Keras's global pooling layers (:func:`rnnviz.recording.convolution.pooled_features`; TensorFlow).

        names: what each sequence is; description: the subtitle (default: the layer, and how far apart the
        pooled features are over all its filters, ``what`` naming the layer).
        """
        from rnnviz.recording.convolution import pooled_features

        config = conv.get_config()
        kernel_size, stride = int(config["kernel_size"][0]), int(config["strides"][0])
        if config.get("padding", "valid") != "valid" or int(config["dilation_rate"][0]) != 1:
            raise InputError(f"conv: expected a Conv1D with padding \"valid\" and dilation 1 (its outputs are drawn "
                             f"under the steps they read), got padding {config.get('padding')!r}, dilation "
                             f"{config['dilation_rate'][0]}")
        if sequences is None:
            sequences, names = swapped_patterns(kernel_size=kernel_size, stride=stride), names or DEFAULT_NAMES
        computed = pooled_features(conv, sequences)
        display = cls(sequences=sequences, names=names or ("first", "second"), feature_maps=computed["feature_maps"],
                      max_pooled=computed["max"], average_pooled=computed["average"], kernel_size=kernel_size,
                      stride=stride, filters=filters, description=description or "")
        if description is None:
            display.view = replace(display.view, description=_conv_description(what, config, computed["activation"])
                                   + _compared(display.view))
        return display

    @classmethod
    def from_lesson(cls, results=None, *, filters=3):
        """The Conv1D of the trained 1D-convolution forecaster as the lesson ``forecasting`` measured it (default:
        its shipped results; no TensorFlow)."""
        from rnnviz import lessons

        results = lessons.results("forecasting") if results is None else results
        display = cls(sequences=results["pooling_sequences"], names=DEFAULT_NAMES,
                      feature_maps=results["pooling_feature_maps"], max_pooled=results["pooling_max"],
                      average_pooled=results["pooling_average"], kernel_size=int(results["pooling_kernel_size"]),
                      stride=int(results["pooling_stride"]), filters=filters)
        display.view = replace(display.view, description=_conv_description(
            "The trained 1D-conv forecaster's Conv1D",
            {"filters": results["pooling_feature_maps"].shape[-1], "kernel_size": (int(results["pooling_kernel_size"]),),
             "strides": (int(results["pooling_stride"]),)}, "relu") + _compared(display.view))
        return display

    def plot(self, ax=None, *, title=True):
        """For each sequence: its values, its feature maps (one row per drawn filter) and, beside them, the pooled
        features; every value written.

        ax: None (a new figure) or 6 axes: (sequence, feature map, pooled) for the first sequence, then the second.
        Keeps ``figure_``, ``axes_`` (by (row, "sequence" / "map" / "pooled")), ``lines_`` (per row),
        ``maps_`` and ``pooled_`` (per row, the QuadMesh / AxesImage), ``map_texts_`` and ``pooled_texts_``
        (per row, the numbers written, (filters drawn, positions) / (filters drawn, 2: max, mean)).
        """
        view = self.view
        self.figure_, axes = _pooling_panels(ax, len(view.filters))
        self.axes_ = {(row, name): axis for row in range(2) for name, axis in
                      zip(("sequence", "map", "pooled"), axes[3 * row: 3 * row + 3])}
        self.lines_, self.maps_, self.pooled_, self.map_texts_, self.pooled_texts_ = [], [], [], [], []
        cmap, norm = colour_map(view.scale, neutral("background")), Normalize(view.scale.low, view.scale.high)
        limit = np.abs(view.sequences).max() or 1.0
        for row in range(2):
            self._plot_sequence(self.axes_[row, "sequence"], row, limit)
            self._plot_map(self.axes_[row, "map"], row, cmap, norm)
            self._plot_pooled(self.axes_[row, "pooled"], row, cmap, norm)
        self.axes_[1, "map"].set_xlabel("input step (each output under the middle of the steps it reads)")
        if title:
            figure_title(self.figure_, self.heading, view.description)
        self._write_values()
        return self

    def _write_values(self) -> None:
        """Every feature and pooled feature written in its cell, as large as the cells (laid out) allow."""
        view = self.view
        engine = self.figure_.get_layout_engine()
        if engine is not None:
            engine.execute(self.figure_)  # the cells' widths, as laid out
        maps = [view.feature_maps[row][:, view.filters].T for row in range(2)]  # (filters drawn, positions)
        pooled = [np.stack([view.max_pooled[row, list(view.filters)], view.average_pooled[row, list(view.filters)]],
                           axis=1) for row in range(2)]
        widths = [_cell_points(self.axes_[0, "map"], view.stride), _cell_points(self.axes_[0, "pooled"], 1)]
        size, digits = _fitting_size([*maps, *pooled], view, min(widths))
        self.digits_ = digits
        for row in range(2):
            self.map_texts_.append(_written(self.axes_[row, "map"], view.window_centres(), maps[row], view, size,
                                            digits))
            self.pooled_texts_.append(_written(self.axes_[row, "pooled"], np.arange(2), pooled[row], view, size,
                                               digits))

    def _plot_sequence(self, panel, row: int, limit: float) -> None:
        view = self.view
        steps = np.arange(view.sequences.shape[1])
        values = view.sequences[row]
        panel.axhline(0, color=neutral("grid"), linewidth=1, zorder=0)
        (line,) = panel.plot(steps, values, color=neutral("text"), marker="o", markersize=5, linewidth=2)
        self.lines_.append(line)
        for step, value in zip(steps, values):
            if value:  # above a rise, below a fall
                panel.annotate(_number(value), (step, value), xytext=(0, 5 if value > 0 else -5),
                               textcoords="offset points", ha="center", va="bottom" if value > 0 else "top",
                               color=neutral("text"), fontsize="small")
        panel.set_ylim(-2.2 * limit, 2.2 * limit)  # room for the values written above and below
        panel.set_yticks([])
        panel.set_xlim(-0.5, len(steps) - 0.5)
        panel.tick_params(axis="x", labelbottom=False, length=0)
        for spine in panel.spines.values():
            spine.set_visible(False)
        panel.set_ylabel(fitted_to_figure(view.names[row], panel, "medium").replace(", ", ",\n"), rotation=0,
                         ha="right", va="center", color=neutral("text"))

    def _plot_map(self, panel, row: int, cmap, norm) -> None:
        view = self.view
        values = view.feature_maps[row][:, view.filters].T  # (filters drawn, positions)
        centres = view.window_centres()
        edges = np.concatenate([centres - view.stride / 2, centres[-1:] + view.stride / 2])
        mesh = panel.pcolormesh(edges, np.arange(len(view.filters) + 1) - 0.5, values, cmap=cmap, norm=norm,
                                edgecolors=neutral("background"), linewidth=1.5)
        self.maps_.append(mesh)
        panel.set_xlim(-0.5, view.sequences.shape[1] - 0.5)
        panel.set_ylim(len(view.filters) - 0.5, -0.5)
        panel.set_yticks(range(len(view.filters)), [f"filter {index}" for index in view.filters])
        panel.tick_params(axis="y", length=0)
        for side in ("left", "right", "top"):
            panel.spines[side].set_visible(False)
        panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        panel.set_title("Conv1D outputs", loc="left")
        if row == 0:
            panel.tick_params(axis="x", labelbottom=False)

    def _plot_pooled(self, panel, row: int, cmap, norm) -> None:
        view = self.view
        values = np.stack([view.max_pooled[row, list(view.filters)], view.average_pooled[row, list(view.filters)]],
                          axis=1)
        image = panel.imshow(values, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        self.pooled_.append(image)
        panel.set_xticks([0, 1], ["max", "mean"])
        panel.xaxis.tick_top()
        panel.set_yticks([])
        panel.tick_params(length=0)
        for spine in panel.spines.values():
            spine.set_visible(False)
        panel.set_title("pooled" if row == 0 else "the same", loc="left")


DEFAULT_NAMES = ("a peak, then a dip", "a dip, then a peak")


def _number(value: float) -> str:
    return f"{value:g}".replace("-", "−")


def _written(panel, xs, values, view, size, digits: int) -> list:
    """Each value written in its cell, in whichever of ink and background reads better on the cell's colour."""
    background, ink = neutral("background"), neutral("text")
    colours = view.scale.colours(values.ravel(), background).reshape(*values.shape, 3)
    return [[panel.text(x, row, view.text(value, digits), ha="center", va="center", fontsize=size,
                        color=_readable_on(colour, ink, background))
             for x, value, colour in zip(xs, row_values, row_colours)]
            for row, (row_values, row_colours) in enumerate(zip(values, colours))]


def _readable_on(colour, *candidates) -> str:
    """The candidate colour of highest contrast (WCAG) on ``colour``."""
    return max(candidates, key=lambda candidate: _contrast(colour, to_rgb(candidate)))


def _contrast(first, second) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(rgb) -> float:
    linear = [part / 12.92 if part <= 0.03928 else ((part + 0.055) / 1.055) ** 2.4 for part in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _cell_points(panel, width: float) -> float:
    """How wide, in points, ``width`` x units of ``panel`` are drawn."""
    low, high = panel.get_xlim()
    return panel.get_position().width * panel.figure.get_size_inches()[0] * 72 * width / abs(high - low)


CELL_FONTS = (("medium", 2), ("small", 2), ("small", 1))  # tried in turn until the numbers fit their cells


def _fitting_size(tables, view, points: float) -> tuple:
    """The first (font size, decimals) of CELL_FONTS whose widest number fits in ``points``, else the last."""
    for size, digits in CELL_FONTS:
        font = FontProperties(size=size).get_size_in_points()
        widest = max(drawn_width(view.text(value, digits), font) for table in tables for value in table.ravel())
        if widest <= 0.9 * points:
            return size, digits
    return CELL_FONTS[-1]


def _conv_description(what: str, config: dict, activation: str) -> str:
    return (f"{what} ({config['filters']} filters, kernel {config['kernel_size'][0]}, stride "
            f"{config['strides'][0]}, {activation}), then GlobalMaxPooling1D and GlobalAveragePooling1D (Keras)")


def _compared(view) -> str:
    count, drawn = view.feature_maps.shape[2], len(view.filters)
    shown = f"all {count} filters drawn" if drawn == count else f"{drawn} of its {count} filters drawn"
    difference = view.largest_difference
    same = "are equal" if difference == 0 else f"agree to {difference:.0e}"
    return f"; {shown}; all {count} pooled features of the two sequences {same}"


def _pooling_panels(ax, filters: int):
    """The given 6 axes (checked), or a new figure: per sequence its values over its feature map, pooled beside."""
    if ax is not None:
        return new_or_given_panels(ax, 6, what="sequence, feature map, pooled; for each of the two sequences",
                                   figsize=None)
    ensure_shipped_fonts()
    figure = plt.figure(figsize=slide_size() or (12, 7.5), layout=constrained_layout())
    grid = figure.add_gridspec(4, 2, height_ratios=[1.2, 0.5 * filters] * 2, width_ratios=[6, 1.6])
    axes = []
    for row in range(2):
        sequence = figure.add_subplot(grid[2 * row, 0])
        feature_map = figure.add_subplot(grid[2 * row + 1, 0], sharex=sequence)
        pooled = figure.add_subplot(grid[2 * row + 1, 1])
        axes += [sequence, feature_map, pooled]
    return figure, axes
