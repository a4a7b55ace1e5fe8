"""Step through time: the unrolled chain around step t, the state over all steps, and h, c and the gates at t."""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from rnnviz.diagrams import unrolled_diagram
from rnnviz.diagrams.architecture import Stage
from rnnviz.diagrams.geometry import Diagram
from rnnviz.diagrams.unrolled import COLUMN, SUBSCRIPTS
from rnnviz.errors import check_int
from rnnviz.kinds import CELL_KINDS
from rnnviz.mpl.diagram import paint_diagram, points_per_unit, strip_extent
from rnnviz.mpl.strips import colour_map, norm
from rnnviz.style import PALETTE, hatch_colour, neutral
from rnnviz.views.cell import state_values
from rnnviz.views.scales import state_scale
from rnnviz.views.unrolled import format_values
from rnnviz.views.values import EXPLODING_THRESHOLD, bad_values, symmetric_limit
from rnnviz.widgets.explorer import bar_outlines
from rnnviz.widgets.trace_explorer import TraceExplorer


class TimeStepExplorer(TraceExplorer):
    """A slider (and play button) over the steps of a recorded layer.

    Top: the layer unrolled over the ``window`` steps around step t (the chain turns a
    page when t leaves it), each cell filled with its hidden state, step t framed.
    Middle: the hidden state of every unit over all steps, the window dashed and t
    marked. Bottom: h (and c) and the gates at t, one bar per unit. Sample and layer can
    be switched.

    Parameters: source, x, layer, sample, step, theme, dpi as for :class:`TraceExplorer`, and
    ``window``, the cells in the unrolled chain (at least 2; at most the number of steps).
    """

    figsize = (11, 7.4)

    def __init__(self, source=None, x=None, *, layer=None, sample: int = 0, step: int = 0, window: int = 7,
                 theme: str = "light", dpi: int = 80):
        super().__init__()
        self.window = check_int("window", window, 2)  # cells in the chain
        self._start_trace(source, x, layer=layer, sample=sample, step=step, theme=theme, dpi=dpi)

    # ------------------------------------------------------------ drawing

    def _draw(self, figure) -> dict:
        layer = self.layer_trace
        window = min(self.window, layer.steps)
        grid = figure.add_gridspec(3, 2, height_ratios=[1.5, 0.9, 1.1])
        chain_ax = figure.add_subplot(grid[0, :])
        time_ax = figure.add_subplot(grid[1, :])
        state_ax, gate_ax = figure.add_subplot(grid[2, 0]), figure.add_subplot(grid[2, 1])
        states = {name: values for name, values in layer.states.items() if name in ("h", "c")}
        limit = symmetric_limit(np.concatenate([values.ravel() for values in states.values()]))  # h and c
        # NaN, infinite or exploding states: out of the colour scale, drawn in the 'bad' colour, said in the note
        bad = {name: bad_values(values, name=f"{layer.name}: {name}", dims=("sample", "step", "unit"),
                                what=f"cells of the colour {hatch_colour()}, bars of height 0")
               for name, values in states.items()}
        artists = {"sample": None, "window": window, "start": None, "bad": bad}  # None: fill everything below
        artists.update(_chain(chain_ax, layer, self.sample.value, window))
        artists.update(_over_time(time_ax, layer, self.sample.value, window))
        artists.update(_state_bars(state_ax, layer, states, limit))
        artists.update(_gate_bars(gate_ax, layer))
        artists["note"] = chain_ax.text(1.0, 1.01, "", transform=chain_ax.transAxes, ha="right", va="bottom",
                                        color=neutral("muted"))
        artists["layers"] = [
            [artists["strips"], *artists["labels"], *artists["input_texts"], artists["span"]],
            [artists["highlight"], artists["cursor"], artists["bars"],
             *([artists["gate_bars"]] if artists["gate_names"] else []), artists["note"]],
        ]
        self._move(artists)
        return artists

    def _move(self, artists) -> int | None:
        """Step t moves the frame, the cursor, the bars and the gates; a new page or sample also the chain."""
        layer, t, sample = self.layer_trace, self.step.value, self.sample.value
        window = artists["window"]
        start = min(t // window * window, layer.steps - window)  # the chain's page: the last one may overlap
        new_sample = sample != artists["sample"]
        new_page = new_sample or start != artists["start"]
        if new_sample:  # the heatmap is not animated: the whole figure is drawn again
            _colour_h(artists, layer, sample)
            artists["heatmap"].set_data(_marked(layer.states["h"][sample], artists["bad"]["h"][sample]).T)
            artists["chain_title"].set_text(_chain_title(sample))
        if new_page:
            self._turn_page(artists, start)
        artists["sample"], artists["start"] = sample, start
        artists["highlight"].set_x(artists["column_x"][t - start] - COLUMN / 2)
        artists["cursor"].set_xdata([t, t])
        values = [np.where(artists["bad"][name][sample, t], np.nan, layer.states[name][sample, t])  # no height
                  for name in artists["bar_states"]]
        artists["bars"].set_verts(bar_outlines(values))
        if artists["gate_names"]:
            gates = [layer.gates[gate][sample, t] for gate in artists["gate_names"]]
            artists["gate_bars"].set_verts(bar_outlines(gates))
        artists["note"].set_text(_note(layer, artists["bad"], sample, t))
        return None if new_sample else 0 if new_page else 1  # which layers of FigureView to redraw

    def _turn_page(self, artists, start: int) -> None:
        """Fill the chain with steps ``start`` … ``start + window − 1``."""
        layer, sample = self.layer_trace, self.sample.value
        steps = range(start, start + len(artists["labels"]))
        shown = slice(steps.start, steps.stop)
        bad = artists["bad"]["h"][sample, shown]
        artists["strips"].set_array(_marked(layer.states["h"][sample, shown], bad).ravel())
        inputs = _shown_inputs(self.trace, layer)
        for step, label, input_text in zip(steps, artists["labels"], artists["input_texts"]):
            label.set_text(f"h{str(step).translate(SUBSCRIPTS)}")
            input_text.set_text(format_values(inputs[sample, step]))
        artists["span"].set_x(start - 0.5)


def _shown_inputs(trace, layer):
    """What to write under each input: the model's token ids when the layer reads them embedded, else its inputs."""
    given = trace.model_input
    if (layer is trace.layers[0] and given is not None and given.ndim == 2 and given.dtype.kind in "iu"
            and given.shape == layer.inputs.shape[:2]):
        return given  # (batch, time) token ids: the embedding vectors would read "n values"
    return layer.inputs


def _colour_h(artists, layer, sample: int) -> None:
    """The colours of h for ``sample``: its scale (the slide figures' rule), on the chain and the heatmap alike."""
    scale = state_scale(state_values(layer, "h", sample))
    for mappable in (artists["strips"], artists["heatmap"]):
        mappable.set_norm(norm(scale))
        mappable.set_cmap(colour_map(scale, mappable.axes.get_facecolor()))


def _chain(ax, layer, sample, window) -> dict:
    """The layer unrolled over ``window`` steps (their values set by the explorer); a box marks step t."""
    stages = [
        Stage(name="input", role="input", class_name="InputLayer", steps=window, features=layer.inputs.shape[-1],
              extra={"sequence": True}),
        Stage(name=layer.name, role="recurrent", class_name=layer.kind, sources=("input",), kind=layer.kind,
              units=layer.units, return_sequences=True, go_backwards=layer.go_backwards),
    ]
    diagram = _without_outputs(unrolled_diagram(stages, steps=window, max_steps=max(window, 2),
                                                 trace_layers=[layer.name]))
    node_labels = {}
    paint_diagram(diagram, ax, label_shift={"cell": 0.22}, node_labels=node_labels)
    cells = sorted(diagram.find("cell"), key=lambda node: node.data["step"])
    inputs = sorted(diagram.find("input"), key=lambda node: node.data["step"])
    # Every cell's strip in one collection (one colour box per unit): a new page redraws it in one call.
    boxes = [box for cell in cells for box in _unit_boxes(strip_extent(cell), layer.units)]
    strips = PolyCollection(boxes, linewidths=0, zorder=4)
    strips.set_array(np.zeros(len(boxes)))
    ax.add_collection(strips)
    size = 0.25 * points_per_unit(ax, ax.get_xlim() + ax.get_ylim())
    input_texts = [ax.text(node.x, node.y - node.height / 2 - 0.06, "", ha="center", va="top", fontsize=size)
                   for node in inputs]
    bottom = inputs[0].y - inputs[0].height / 2 - 0.3
    top = cells[0].y + cells[0].height / 2 + 0.1
    highlight = Rectangle((0, bottom), COLUMN, top - bottom, facecolor="none", edgecolor=neutral("text"),
                          linewidth=2.5, zorder=6)
    ax.add_patch(highlight)
    title = ax.set_title(_chain_title(sample), loc="left")
    for node in inputs:  # the step is on the cell above; an input's own label need not change with the page
        node_labels[node.id].set_text("x")
    return {"strips": strips, "labels": [node_labels[cell.id] for cell in cells], "input_texts": input_texts,
            "highlight": highlight, "column_x": [cell.x for cell in cells], "chain_title": title}


def _chain_title(sample: int) -> str:
    """The chain's title; step t is on the framed cell, the cursor and the slider."""
    return f"sample {sample}, unrolled around step t (framed); colours: h"


def _marked(values, bad):
    """``values`` masked where ``bad``: drawn in the colour map's 'bad' colour."""
    return np.ma.masked_array(values, mask=bad)


def _note(layer, bad: dict, sample: int, step: int) -> str:
    """What is unusual about step t (usually nothing: every glyph costs time on every step)."""
    notes = [] if layer.mask[sample, step] else [f"step {step} is masked: the state is carried over"]
    for name, where in bad.items():
        count = int(where[sample, step].sum())
        if count:
            notes.append(f"{count} of {layer.units} values of {name} not finite or beyond ±{EXPLODING_THRESHOLD:g}")
    return "; ".join(notes)


def _unit_boxes(extent, units: int) -> list:
    """The strip ``extent`` (left, right, bottom, top) cut into one box per unit, left to right."""
    left, right, bottom, top = extent
    edges = np.linspace(left, right, units + 1)
    return [[(a, bottom), (a, top), (b, top), (b, bottom)] for a, b in zip(edges[:-1], edges[1:])]


def _over_time(ax, layer, sample, window) -> dict:
    """Every unit's h over all steps; the chain's window shaded and step t marked."""
    steps = layer.steps
    heatmap = ax.imshow(np.zeros((layer.units, steps)), aspect="auto", interpolation="nearest", extent=(-0.5, steps - 0.5, layer.units - 0.5, -0.5))
    span = Rectangle((0, 0), window, 1, transform=ax.get_xaxis_transform(), facecolor="none",
                     edgecolor=neutral("text"), linewidth=1.2, linestyle="--")
    ax.add_patch(span)
    cursor = ax.axvline(0, color=neutral("text"), linewidth=2)
    ax.set_ylabel("unit")
    _unit_ticks(ax.yaxis)
    ax.set_xlabel("step")
    ax.set_title("h over all steps (the window above is dashed, t is the line)", loc="left")
    ax.figure.colorbar(heatmap, ax=ax, fraction=0.03, pad=0.01, label="h")
    return {"heatmap": heatmap, "span": span, "cursor": cursor}


def _state_bars(ax, layer, states, limit) -> dict:
    """h (and c) at step t, one bar per unit (one collection: a step redraws it in one call)."""
    names = list(states)
    colours = [PALETTE[name] for name in names for _ in range(layer.units)]
    bars = PolyCollection(bar_outlines([np.zeros(layer.units)] * len(names)), facecolors=colours, linewidths=0)
    ax.add_collection(bars)
    ax.axhline(0, color=neutral("text"), linewidth=0.8)
    ax.set_ylim(-limit, limit)
    ax.set_xlim(-0.6, layer.units - 0.4)
    ax.set_xlabel("unit")
    _unit_ticks(ax.xaxis)
    ax.set_title("the state at step t", loc="left")
    ax.legend([Patch(color=PALETTE[name]) for name in names], names, loc="lower right", bbox_to_anchor=(1.0, 1.0),
              frameon=False, ncols=len(names), borderaxespad=0.1)  # above the bars, beside the title
    return {"bars": bars, "bar_states": names}


def _without_outputs(diagram):
    """``diagram`` without its output row (the chain shows the cells; their outputs are their h)."""
    nodes = tuple(node for node in diagram.nodes if node.role != "output")
    kept = {node.id for node in nodes}
    edges = tuple(edge for edge in diagram.edges if edge.source in kept and edge.target in kept)
    return Diagram(diagram.name, nodes, edges, diagram.labels, diagram.groups)


def _gate_bars(ax, layer) -> dict:
    """Each gate's activation at step t, one bar per unit, the gates side by side (SimpleRNN: a note that it has none).

    Units are categories: bars, never a line joining one unit to the next.
    """
    gate_names = list(layer.gates)
    ax.set_xlim(-0.6, layer.units - 0.4)
    ax.set_xlabel("unit")
    _unit_ticks(ax.xaxis)
    ax.set_title("the gates at step t", loc="left")
    if not gate_names:
        activation = layer.config.get("activation", "tanh")
        title = CELL_KINDS[layer.kind].title
        ax.text(0.5, 0.5, f"A {title} has no gates:\nh_t = {activation}(W_x x_t + W_h h_(t−1) + b)", ha="center",
                va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return {"gate_bars": None, "gate_names": []}
    colours = {gate: PALETTE.get(gate, neutral("text")) for gate in gate_names}
    edge = {"edgecolor": neutral("text"), "linewidth": 0.4}  # the yellow candidate on white needs an edge
    bars = PolyCollection(bar_outlines([np.zeros(layer.units)] * len(gate_names)),
                          facecolors=[colours[gate] for gate in gate_names for _ in range(layer.units)], **edge)
    ax.add_collection(bars)
    values = np.concatenate([layer.gates[gate].ravel() for gate in gate_names])
    finite = values[np.isfinite(values)]
    low = min(-1.0 if "candidate" in gate_names else 0.0, finite.min(initial=0.0))  # tanh reaches −1
    high = max(1.0, finite.max(initial=1.0))
    ax.set_ylim(low - 0.05, high + 0.05)
    ax.axhline(0, color=neutral("text"), linewidth=0.8)
    ax.legend([Patch(facecolor=colours[gate], **edge) for gate in gate_names], gate_names, loc="lower right",
              bbox_to_anchor=(1.0, 1.0), frameon=False, ncols=2, borderaxespad=0.1, handlelength=1.0,
              columnspacing=1.0)  # beside the title, in two columns
    return {"gate_bars": bars, "gate_names": gate_names}


def _unit_ticks(axis) -> None:
    """Ticks at whole units only (a layer of one unit: one tick)."""
    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
