"""The unrolled picture of a model: every recurrent layer as a chain of steps, with what feeds it and what it feeds.

Columns are time steps (long sequences elided: first steps, "…", last steps),
rows go up through the model: inputs, embeddings, one row per recurrent layer
(for a Bidirectional one: a row per direction, each reading every input, and a row
where they merge), outputs. A RepeatVector starts a new time axis to
the right, so an encoder–decoder is drawn as one; ``initial_state`` passed from
one layer to another is drawn as a state arrow.

Layers in front of a recurrent layer that change time (a strided convolution, a
pooling) give it a time axis of its own above the input's. One small window
after an input is drawn with an arrow from every input step each step reads;
other such layers as one band that names, for each step above it, the input
steps it reads (or says that this cannot be told). A model with more rows than
``max_rows`` is summarised: runs of other layers folded into one row, then the
middle of a stack of recurrent layers left out (a row of "⋮").

An LSTM's cells carry their cell state c in a box on top, chained like h. A layer that says how
it is drawn (``Stage.extra["drawn_as"]``: the forecasters' ChangeFrom and AddBack) is named as a
reader would name it ("x − today"), at every step with a wire from the step every step reads
(today). A Dense head of several units on a recurrent layer's last state is a box with its
values above it, one per unit (ŷ₁ … ŷ₅).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import partial

from rnnviz.diagrams.architecture import (INPUT_NAME, Stage, call_of, part_name, step_ranges, traces_named, window_reads,
                                          window_steps)
from rnnviz.diagrams.geometry import Diagram, Edge, Label, Node
from rnnviz.kinds import CELL_KINDS

COLUMN = 1.6  # distance between steps
ROW = 1.35  # distance between rows
CELL_SIZE = (1.1, 0.62)
IO_SIZE = (0.8, 0.45)
BAND_HEIGHT = 0.5
DEFAULT_STEPS = 5  # shown for a time axis of unknown length
MAX_ROWS = 6  # more rows, or a diagram wider than MAX_WIDTH, do not fit a 16:9 slide with text of 12 pt or more
MAX_WIDTH = 18.0
MIN_STEPS = 4  # the fewest steps drawn to keep a diagram within MAX_WIDTH
LABEL_CHARACTER = 0.165  # room per character of a row label (its lines are at most 0.3 units tall)
WRITTEN_VALUES = 3  # an input step of at most this many values has them written under it
FAN_KERNEL = 5  # a window layer reading at most this many steps gets an arrow from each
FAN_STEPS = 4  # ... if at least this many of its steps then fit
MIN_PITCH = 0.8  # between the input steps drawn under such a window
SUBSCRIPTS = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
OWN_ROWS = ("input", "recurrent", "repeat", "band", "elided")  # roles never folded into another row
# A Bidirectional layer's wires that go round a cell, as shares of the room beside it (COLUMN minus its width) and
# above it (ROW minus its height): an input rises beside its forward cell to the backward cell, a forward state beside
# its backward cell to where the two directions merge.
INPUT_SIDE, STATE_SIDE = 0.3, 0.7
INPUT_JOIN, STATE_TURN = 0.62, 0.3
# Where a layer on a branch (one of two layers reading the same sequence, drawn one above the other) reads from, the
# wire rises past the rows between in the first of these lanes (shares of the room beside the cells) that no other
# wire runs up in over the same height.
PASSING_LANES = (INPUT_SIDE, STATE_SIDE, 0.5)
REVERSED_ROOM = 0.6  # more room (in rows) under a layer reading a reversed sequence, for the wires crossing the steps
DIRECTION_SYMBOLS = {"forward": "h→", "backward": "h←"}
CELL_STATE_ROWS = 0.5  # the room an LSTM's cell state boxes take above its cells, in rows
LABEL_GAP = 0.25  # from a row label to the first step of its row
LABEL_CLEARANCE = 0.3  # from the nodes of the axis on a row label's left to the label
AXIS_GAP = 2.8 * COLUMN  # from the last step of an axis to the first of the next: room for row labels of 17 characters
HEAD_SIZE = (1.0, 0.9)  # one value of a Dense head on a vector: its name and its value on two lines (12 pt at 4:3)
HEAD_PITCH = 1.2
REFERENCE_SIDE = 0.3  # a wire from the step every step reads enters a node this far off its centre, on its side
WIRE_GAP = 0.3  # between a wire going round the head and what it passes
REPEAT_SIDE, REPEAT_BUS = 0.8, 0.75  # a vector's RepeatVector copies: the wire's drop left of it, the bus under them


def shown_steps(length: int, max_steps: int = 8) -> list:
    """The steps drawn for a sequence of ``length``: all of them, or the first and last with ``None`` for "…".

    A sequence one step longer than ``max_steps`` is drawn whole: its "…" would take the one step's place.
    """
    if max_steps < 2:
        raise ValueError(f"max_steps: expected at least 2, got {max_steps}")
    if length <= max_steps + 1:
        return list(range(length))
    head = max_steps // 2
    tail = max_steps - head
    return [*range(head), None, *range(length - tail, length)]


def unrolled_diagram(stages: list, *, steps=None, max_steps: int = 8, max_rows: int = MAX_ROWS,
                     max_width: float = MAX_WIDTH, trace_layers=None, row_pitch: float = ROW,
                     fed_back=None) -> Diagram:
    """Lay out ``stages`` (from :func:`describe_model` or :func:`stages_from_trace`) unrolled in time.

    Parameters
    ----------
    stages : list of Stage
    steps : int or dict of str to int, optional
        The length of each input sequence (by input stage name), overriding what the
        stages say; a single int for every input. A dict may also give the steps of a
        recurrent stage (by its name), checked against the arithmetic of the layers
        in front of it.
    max_steps : int
        At most this many steps are drawn per time axis; longer ones are elided.
    max_rows : int
        A model drawn in more rows is summarised until it fits, if it can: runs of
        non-recurrent layers folded into one row, then the middle of each stack of
        recurrent layers left out.
    max_width : float
        A diagram wider than this (in its units, row labels included) is drawn with
        fewer steps, down to MIN_STEPS per time axis.
    trace_layers : sequence of str, optional
        The names of the traced layers, so a cell's ``data["layer"]`` is the name a
        trace knows it by (``"<name>/forward"`` for the directions of a Bidirectional one).
    row_pitch : float
        The distance between rows (more than ROW spreads the rows of a flat diagram to fill a taller frame;
        the nodes, their ids and the steps shown stay the same).
    fed_back : dict of str to str, optional
        Inputs (by name) that are, at each step after the first, what a per-step output of the model (by layer
        name) wrote one step before: a decoder reading its own last output. Such an input's steps are named after
        that output (ŷ₀, ŷ₁, …), so the picture says that what the decoder reads is what it wrote.
    """
    fed_back = _checked_fed_back(stages, fed_back)
    for summary in _summaries(_banded(list(stages), steps, max_steps)):
        for merges in (True, False):  # then a Bidirectional layer's per-step merges left to the layer reading them
            for shown in range(max_steps, min(max_steps, MIN_STEPS) - 1, -1):
                diagram = _Layout(shown, merges=merges, pitch=row_pitch, fed_back=fed_back).draw(summary, steps,
                                                                                                 trace_layers)
                xmin, xmax, _, _ = diagram.bounds
                if xmax - xmin <= max_width:
                    break
            if _rows(diagram) <= max_rows:
                return diagram
    return diagram


def _checked_fed_back(stages, fed_back) -> dict:
    """``fed_back`` (input name -> output layer name) checked against ``stages``: each an input of the model and a
    layer that is the model's output."""
    if fed_back is None:
        return {}
    if not isinstance(fed_back, dict):
        raise TypeError(f"fed_back: expected a dict of input name -> output layer name, got {type(fed_back).__name__}")
    inputs = [stage.name for stage in stages if stage.role == "input"]
    consumers = _consumers(stages)
    outputs = [stage.name for stage in stages if stage.role not in ("input", "recurrent") and not consumers[stage.name]]
    for given, output in fed_back.items():
        if given not in inputs:
            raise ValueError(f"fed_back: {given!r} is not an input of the model; its inputs are {inputs}")
        if output not in outputs:
            raise ValueError(f"fed_back: {output!r} (what {given!r} is fed) is not an output layer of the model; "
                             f"its outputs are {outputs}")
    return dict(fed_back)


def _rows(diagram) -> int:
    """The rows drawn (an LSTM's cell state boxes are part of its cells' row, a cell row's "…" sits under it)."""
    return len({node.y for node in diagram.nodes if node.role not in ("port", "state", "ellipsis")})


def _length(stage: Stage, steps) -> int | None:
    if isinstance(steps, dict):
        return steps.get(stage.name, stage.steps)
    return steps if steps is not None else stage.steps


def _given_length(stage: Stage, steps) -> int | None:
    """The steps ``steps`` gives for a (recurrent) stage, if any."""
    return steps.get(stage.name) if isinstance(steps, dict) else None


def _subscript(number: int) -> str:
    return str(number).translate(SUBSCRIPTS)


def _superscript(number: int) -> str:
    return str(number).translate(SUPERSCRIPTS)


# ---------------------------------------------------------------- summaries of the stages


def _stack_layers(stages) -> dict:
    """The layer number (1 at the bottom) of every recurrent stage in a stack of two or more: a deep RNN, where a
    recurrent layer reads the sequence of the one below."""
    recurrent = {stage.name: stage for stage in stages if stage.role == "recurrent"}
    below = {name: stage.sources[0] for name, stage in recurrent.items() if stage.sources and stage.sources[0] in recurrent}
    stacked = set(below) | set(below.values())
    numbers = {}
    for name in recurrent:  # stages come in order, so the layer below is numbered first
        if name in stacked:
            numbers[name] = numbers[below[name]] + 1 if name in below else 1
    return numbers


def _consumers(stages) -> dict:
    return {stage.name: [s for s in stages if stage.name in (*s.sources, s.state_source)] for stage in stages}


def _runs(stages, member) -> list:
    """Runs of consecutive ``member`` stages, each the only reader of the one before; only runs of two or more."""
    consumers = _consumers(stages)
    runs, run = [], []
    for stage in stages:
        joins = (member(stage) and run and stage.sources == (run[-1].name,) and not stage.state_source
                 and len(consumers[run[-1].name]) == 1)
        if not joins:
            runs.append(run)
            run = []
        if member(stage):
            run.append(stage)
    return [run for run in [*runs, run] if len(run) > 1]


def _merged(stages, run, role: str, extra: dict) -> list:
    """``stages`` with ``run`` replaced by one stage of ``role``, named as its last (what reads the run still finds it)."""
    last, names = run[-1], {stage.name for stage in run}
    folded = [[stage.name, stage.class_name] for stage in run]
    merged = Stage.from_dict({**last.to_dict(), "role": role, "sources": list(run[0].sources),
                              "class_name": ", ".join(dict.fromkeys(stage.class_name for stage in run)),
                              "extra": {**extra, "folded": folded}})
    return [merged if stage.name == last.name else stage for stage in stages if stage.name not in names - {last.name}]


def _banded(stages, steps, max_steps) -> list:
    """Each chain of layers in front of a recurrent layer that changes time, as one ``"band"`` stage.

    A single small window right after an input stays as it is: it is drawn as a fan.
    """
    by_name, consumers = {stage.name: stage for stage in stages}, _consumers(stages)
    for stage in [s for s in stages if s.role == "recurrent"]:
        chain = _chain_before(stage, by_name, consumers)
        timed = [link for link in chain if "time" in link.extra]
        unknown = [f"{link.name} ({link.class_name})" for link in timed if link.extra["time"] == "unknown"]
        if timed and _fans(chain, by_name, stage, steps, max_steps):  # marked for the layout
            fan = Stage.from_dict({**timed[0].to_dict(), "extra": {**timed[0].extra, "fan": True}})
            stages = [fan if s.name == fan.name else s for s in stages]
        elif timed:
            extra = {"time": "unknown", "unknown": unknown[0]} if unknown else {"time": [s.extra["time"] for s in timed]}
            stages = _merged(stages, chain, "band", extra)
        elif chain and _disagree(chain[0], by_name, stage, steps):  # e.g. a trace saved before layers told their time
            lengths = f"{_length(by_name[chain[0].sources[0]], steps)} input steps, {_given_length(stage, steps)} of {stage.name}"
            stages = _merged(stages, chain, "band", {"time": "unknown", "unknown": lengths})
    return stages


def _disagree(first, by_name, recurrent, steps) -> bool:
    """True when the input in front of ``first`` and the ``recurrent`` layer after it have different known lengths."""
    source = by_name[first.sources[0]]
    lengths = (_length(source, steps), _given_length(recurrent, steps))
    return source.role == "input" and None not in lengths and lengths[0] != lengths[1]


def _chain_before(stage, by_name, consumers) -> list:
    """The layers in a line in front of a recurrent ``stage``, back to an input, a recurrent layer or a fork."""
    chain = []
    while len(stage.sources) == 1:
        source = by_name[stage.sources[0]]
        if source.role in OWN_ROWS or len(consumers[source.name]) != 1 or source.state_source:
            break
        chain.insert(0, source)
        stage = source
    return chain


def _fans(chain, by_name, recurrent, steps, max_steps) -> bool:
    """True when ``chain`` holds one small window after an input whose arithmetic gives the recurrent layer's steps,
    and a fan of arrows from its inputs leaves room for enough of its steps."""
    windows = [link.extra["time"] for link in chain if "time" in link.extra]
    source = by_name[chain[0].sources[0]]
    if len(windows) != 1 or windows[0] == "unknown" or windows[0]["kernel"] > FAN_KERNEL or source.role != "input":
        return False
    length = _length(source, steps) or _example_length(windows[0])
    try:
        count, _ = window_steps(windows[0], length)
    except ValueError:  # a padding it does not know
        return False
    shown = [step for _, step in _fan_columns(windows[0], length, max_steps, 0.0, _written(source))[1] if step is not None]
    return _given_length(recurrent, steps) in (None, count) and len(shown) >= min(count, FAN_STEPS)


def _example_length(window) -> int:
    """An input length for a window layer on an input of unknown length: one that gives DEFAULT_STEPS steps."""
    return next(n for n in range(1, 10_000) if window_steps(window, n)[0] >= DEFAULT_STEPS)


def _summaries(stages):
    """``stages``, then summaries of them, each shorter than the one before."""
    yield stages
    for run in _runs(stages, lambda s: s.role not in OWN_ROWS and "time" not in s.extra
                     and len(s.sources) == 1 and not s.state_source):
        stages = _merged(stages, run, "folded", {})
    yield stages
    for keep_last in (True, False):
        yield _cut_stacks(stages, keep_last=keep_last)


def _cut_stacks(stages, *, keep_last: bool) -> list:
    """Each stack of recurrent layers with the layers after its first (and before its last, if ``keep_last``) cut."""
    for run in _runs(stages, lambda s: s.role == "recurrent"):
        cut = run[1:-1] if keep_last or not run[-1].return_sequences else run[1:]
        if cut and all(stage.return_sequences for stage in cut):
            stages = _merged(stages, cut, "elided", {})
    return stages


# ---------------------------------------------------------------- layout


@dataclass
class _Output:
    """Where a stage's output was drawn.

    chains: per direction, {step: node id} of its nodes at the shown steps (none for a vector);
    finals: the node(s) holding the final value (each direction's last state, their merge, or the vector);
    sequence: True when the output is a sequence on ``axis`` (None for a vector off any axis);
    symbol: what its nodes are called (x, h, ...);
    states: a recurrent layer's final state per direction (what ``initial_state`` passes on);
    head: a Dense head's columns (the x of each of its values);
    reversed: a go_backwards layer's sequence, which Keras returns in the order the layer ran: its step k (the key
    in ``chains``) is the state after input step T-1-k, drawn at that step's column.
    """

    row: int
    finals: list
    chains: list = field(default_factory=list)
    axis: int | None = None
    sequence: bool = False
    symbol: str = "h"
    states: list = field(default_factory=list)
    head: tuple = ()
    reversed: bool = False


class _Layout:
    """Places nodes axis by axis; each stage's output is either on a time axis (per step) or a single vector."""

    def __init__(self, max_steps, *, merges=True, pitch=ROW, fed_back=None):
        self.max_steps = max_steps
        self.fed_back = fed_back or {}  # input name -> the output layer whose last step it reads
        self.pitch = pitch  # between rows
        self.merges = merges  # False: a Bidirectional layer's per-step merges left to the layer reading them
        self.routes = {}  # node id -> how an edge from it upwards goes round a cell (see edge_up)
        self.nodes, self.edges, self.labels, self.groups = [], [], [], {}
        self.cursor = 0.0  # x where the next time axis starts
        self.outputs = {}  # stage name -> _Output
        self.axes = []  # per axis: the shown columns, [(x, step or None for "…")]
        self.lengths = []  # per axis: the number of steps
        self.widths = []  # per axis: the widest node its columns leave room for
        self.label_x = []  # per axis: where its row labels end
        self.fans = {}  # window stage name -> (its axis, {step: the input steps it reads})
        self.cell_states = {}  # LSTM stage name -> {step: node id} of its cell state boxes
        self.cell_states_on = {}  # an LSTM cell's node id -> the id of its cell state box
        self.vector_columns = set()  # x of the columns that hold a vector input and what it feeds
        self.named_inputs = False  # whether input rows are labelled with their names (a model of several inputs)
        self.stack_layers = {}  # recurrent stage name -> its layer number (1 at the bottom) in a stack of two or more
        self.called_again = set()  # the layers the model calls more than once: a stage per call, each labelled
        self.top = {}  # axis -> the highest row drawn on it so far

    def draw(self, stages, steps, trace_layers) -> Diagram:
        consumers = _consumers(stages)
        self.named_inputs = sum(stage.role == "input" for stage in stages) > 1  # several: each named
        self.stack_layers = _stack_layers(stages)
        self.called_again = {call_of(stage.name)[0] for stage in stages if call_of(stage.name)[1] > 1}
        for stage in stages:
            if stage.role == "input":
                self.add_input(stage, _length(stage, steps), _fan_window(stage, consumers))
            elif stage.role == "repeat":
                self.add_repeat(stage)
            elif stage.role == "recurrent":
                self.add_recurrent(stage, trace_layers, consumers[stage.name])
            elif stage.role == "band":
                self.add_band(stage, _given_length(consumers[stage.name][0], steps))
            elif stage.role == "elided":
                self.add_elided(stage)
            else:
                self.add_per_step_or_vector(stage, final=not consumers[stage.name], readers=consumers[stage.name])
            output = self.outputs.get(stage.name)
            if output is not None and output.axis is not None:
                self.top[output.axis] = max(self.top.get(output.axis, output.row), output.row)
        for stage in stages:  # a model ending in a recurrent layer outputs its states
            if stage.role == "recurrent" and not consumers[stage.name]:
                self.add_state_output(stage)
        return Diagram("unrolled", tuple(self.nodes), tuple(self.edges), tuple(self.labels), dict(self.groups))

    # time axes -----------------------------------------------------------
    def add_axis(self, columns, length, *, pitch=COLUMN, label_x=None):
        """A time axis of ``length`` steps drawn at ``columns`` [(x, step or None)]; returns its index."""
        self.axes.append(columns)
        self.lengths.append(length)
        self.widths.append(0.9 * pitch)
        self.label_x.append(columns[0][0] - CELL_SIZE[0] / 2 - LABEL_GAP if label_x is None else label_x)
        self.cursor = max(self.cursor, max(x for x, _ in columns) + AXIS_GAP)  # room for the next axis's labels
        return len(self.axes) - 1

    def new_axis(self, length, x0=None):
        """An axis of evenly spaced columns from ``x0`` (by default, right of everything so far)."""
        length = DEFAULT_STEPS if length is None else length
        columns = shown_steps(length, self.max_steps)
        x0 = self.cursor if x0 is None else x0
        return self.add_axis([(x0 + COLUMN * i, step) for i, step in enumerate(columns)], length)

    def sequence_output(self, axis, row, ids, symbol="h"):
        """The output of a layer drawn at every step of ``axis``: it ends at the last step."""
        return _Output(row, finals=[ids[max(ids)]], chains=[ids], axis=axis, sequence=True, symbol=symbol)

    def row_label(self, axis, row, text):
        x0 = self.label_x[axis]
        if axis == 0 or not any(label.y == row * self.pitch and label.x == x0 for label in self.labels):
            self.labels.append(_text_label(text, x0, row * self.pitch, "right"))

    def per_step(self, stage, axis, row, role, symbol, size, data=None, group=None, *, shape="box", labels=None,
                 step_data=None, mark_drop=0.0):
        """One node per shown step (and "…" where steps are elided, ``mark_drop`` under the row's middle); returns
        {step: node id}.

        ``labels`` (step -> text) replaces the numbered ``symbol``; ``step_data`` (step -> dict) adds to a node's data.
        """
        ids = {}
        size = (min(size[0], self.widths[axis]), size[1])
        for x, step in self.axes[axis]:
            if step is None:
                y = row * self.pitch - mark_drop
                self.nodes.append(Node(f"{stage}/…/{row}", x, y, 0.5, 0.3, "ellipsis", "…", "text"))
                continue
            node_id = f"{stage}/{step}" if group is None else f"{stage}/{group}/{step}"
            label = labels[step] if labels else f"{symbol}{_subscript(step)}" if symbol else ""
            node_data = {"step": step, **(data or {}), **(step_data or {}).get(step, {})}
            self.nodes.append(Node(node_id, x, row * self.pitch, *size, role, label, shape, node_data))
            ids[step] = node_id
        self.groups[stage if group is None else f"{stage}/{group}"] = tuple(ids.values())
        return ids

    def link_up(self, source: _Output, target_ids, role="flow"):
        """An edge into each target from the node(s) at the same step below (both directions of a Bidirectional)."""
        for step, target in target_ids.items():
            for chain in source.chains:
                if step in chain:
                    self.edges.append(self.edge_up(chain[step], target, role))

    def link_beside(self, source: _Output, target_ids, forward_ids):
        """An edge into each backward cell from the node(s) below at its step, rising beside the forward cell between."""
        for step, target in target_ids.items():
            for chain in source.chains:
                if step in chain:
                    below, cell = self.node(chain[step]), self.node(forward_ids[step])
                    split = (below.y + below.height / 2 + cell.y - cell.height / 2) / 2
                    side = cell.x + cell.width / 2 + INPUT_SIDE * (COLUMN - cell.width)
                    join = cell.y + cell.height / 2 + INPUT_JOIN * (self.pitch - cell.height)
                    # with the forward cell's input up to the split, aside, up past the cell, into the backward cell
                    points = ((below.x, split), (side, split), (side, join), (cell.x, join))
                    self.edges.append(Edge(chain[step], target, "input", points=points))

    def link_past(self, source: _Output, target_ids, role="flow"):
        """As :meth:`link_up`, from a ``source`` drawn below rows of another branch (each edge rising past them), or
        from a ``reversed`` one (each edge from the column of the state it carries, across to its reader's)."""
        for step, target in target_ids.items():
            for chain in source.chains:
                if step in chain:
                    self.edges.append(self.rising_past(chain[step], target, role))

    def rising_past(self, source, target, role="flow") -> Edge:
        """An edge from ``source`` up past the rows between it and ``target`` into ``target``'s bottom: out beside a
        cell (round its cell state), or up out of any other node and aside, then up a lane beside the column (one
        no other wire runs up at that height), and across under ``target``."""
        start, goal = self.node(source), self.node(target)
        if start.role != "cell":
            leave = start.y + start.height / 2 + (1 - INPUT_JOIN) * (self.pitch - start.height)
        elif not any(edge.role == "recurrent" and source in (edge.source, edge.target)
                     and self.node(edge.target if edge.source == source else edge.source).x > start.x
                     for edge in self.edges):
            leave = start.y  # nothing on its right (the last step of a forward row): out of its side
        elif source in self.cell_states_on:  # out of its side above the recurrent edge, under its cell state box
            leave = start.y + 0.35 * start.height
        else:  # past its top right corner, clear of the recurrent edge
            leave = start.y + start.height / 2 + STATE_TURN * (self.pitch - start.height)
        under = goal.y - goal.height / 2 - (1 - INPUT_JOIN) * (self.pitch - goal.height)
        if abs(start.x - goal.x) > 1e-6:  # a reversed sequence: up beside its own column, then across the steps
            across = max([leave, *(n.y + n.height / 2 for n in self.nodes if n.y < goal.y - 1e-6
                                   and min(start.x, goal.x) - COLUMN / 2 < n.x < max(start.x, goal.x) + COLUMN / 2)])
            across += 0.2 * (under - across)
            side = self.free_lane(start, leave, across)
            first = ((side, leave),) if start.role == "cell" else ((start.x, leave), (side, leave))
            return Edge(source, target, role, points=(*first, (side, across), (goal.x, under)))
        side = self.free_lane(goal, leave, under)
        first = ((side, leave),) if start.role == "cell" else ((start.x, leave), (side, leave))
        return Edge(source, target, role, points=(*first, (side, under), (goal.x, under)))

    def free_lane(self, cell, low, high) -> float:
        """The x of the first lane beside ``cell``'s column (:data:`PASSING_LANES`) where no wire runs up between
        the heights ``low`` and ``high``."""
        room = COLUMN - cell.width
        lanes = [cell.x + cell.width / 2 + share * room for share in PASSING_LANES]
        for x in lanes:
            if not any(abs(a[0] - x) < 1e-6 and abs(b[0] - x) < 1e-6 and min(a[1], b[1]) < high and
                       max(a[1], b[1]) > low for edge in self.edges for a, b in zip(edge.points, edge.points[1:])):
                return x
        return lanes[0]

    @staticmethod
    def side_of(cell) -> float:
        """The x of the wire :meth:`beside_above` runs up beside ``cell``."""
        return cell.x + cell.width / 2 + STATE_SIDE * (COLUMN - cell.width)

    def beside_above(self, source, target, role="flow") -> Edge:
        """An edge from a cell past what is above it (a backward cell, a cell state), up beside it into ``target``:
        into its side, or upright into its bottom if it spans the wire.

        It leaves the cell's right side if no recurrent edge does (the last step), else its top right corner:
        straight up from the top would run on into the backward cell's input, as if one fed the other.
        """
        cell, goal = self.node(source), self.node(target)
        side = self.side_of(cell)
        chained = any(edge.source == source and edge.role == "recurrent" for edge in self.edges)
        turn = cell.y + cell.height / 2 + STATE_TURN * (self.pitch - cell.height) if chained else cell.y
        spans = abs(side - goal.x) < goal.width / 2
        return Edge(source, target, role, points=((side, turn),) if spans else ((side, turn), (side, goal.y)))

    def round_cell_state(self, source, target, role="flow") -> Edge:
        """An edge from an LSTM cell's h up beside its cell state box (as :meth:`beside_above`, turning beside the
        box's middle at any row pitch), then across under ``target`` and up into its bottom; straight up into it if
        ``target`` spans the wire."""
        cell, goal, state = self.node(source), self.node(target), self.node(self.cell_states_on[source])
        side, turn = self.beside_above(source, target, role).points[0]
        turn = cell.y if turn == cell.y else state.y  # out of the side of the last cell, else past the box's corner
        if abs(side - goal.x) < goal.width / 2:
            return Edge(source, target, role, points=((side, turn),))
        below = (state.y + state.height / 2 + goal.y - goal.height / 2) / 2
        return Edge(source, target, role, points=((side, turn), (side, below), (goal.x, below)))

    def up_across_under(self, source, target, role="flow", *, floor=None) -> Edge:
        """An edge up out of ``source``, across under ``target`` (midway between it and ``floor``, by default the top
        of ``source``: the highest top it must pass) and up into its bottom; straight up if ``target`` spans it."""
        start, goal = self.node(source), self.node(target)
        if abs(start.x - goal.x) < goal.width / 2:
            return Edge(source, target, role)
        floor = start.y + start.height / 2 if floor is None else floor
        below = (floor + goal.y - goal.height / 2) / 2
        return Edge(source, target, role, points=((start.x, below), (goal.x, below)))

    def top_of(self, node_id) -> float:
        """The top of a node, or of the cell state box above it (an LSTM's cell)."""
        node = self.node(self.cell_states_on.get(node_id, node_id))
        return node.y + node.height / 2

    def straight_up(self, source, target, role="flow") -> Edge:
        """An edge straight up from ``source`` into the bottom of ``target`` (which spans it)."""
        cell = self.node(source)
        return Edge(source, target, role, points=((cell.x, cell.y + cell.height / 2),))

    def up_then_across(self, source, target, role="flow") -> Edge:
        """An edge straight up from ``source`` to the height of ``target``, then across into it."""
        cell, goal = self.node(source), self.node(target)
        return Edge(source, target, role, points=((cell.x, goal.y),) if cell.x != goal.x else ())

    def edge_up(self, source, target, role):
        """An edge from ``source`` to ``target`` above it: round the cells in the way, if ``source`` has a route."""
        route = self.routes.get(source)
        return Edge(source, target, role) if route is None else route(source, target, role)

    # stages --------------------------------------------------------------
    def add_input(self, stage, length, fan=None):
        if not stage.extra.get("sequence", stage.steps is not None):
            node_id = stage.name
            self.nodes.append(Node(node_id, self.cursor, 0.0, *IO_SIZE, "input", "x", data={"layer": stage.name}))
            self.vector_columns.add(self.cursor)
            self.labels.append(_text_label("input vector", self.cursor, -0.5, "center", role="caption"))
            self.cursor += COLUMN * 3.0  # room for the next axis's row labels
            self.outputs[stage.name] = _Output(0, finals=[node_id])
            return
        label = self.input_label(stage)
        if fan is None:
            axis = self.new_axis(length, x0=self.clear_of_labels(label))
        else:  # the input laid out under the window that reads it
            window = fan.extra["time"]
            length = length or _example_length(window)
            inputs, outputs, reads, pitch = _fan_columns(window, length, self.max_steps, self.cursor, _written(stage))
            axis = self.add_axis(inputs, length, pitch=pitch, label_x=inputs[0][0] - 0.45 * pitch - 0.25)
            count, _ = window_steps(window, length)
            self.fans[fan.name] = self.add_axis(outputs, count, label_x=self.label_x[axis]), reads
        labels = None
        if stage.name in self.fed_back:  # step t reads the output of step t - 1: named so (x₀, ŷ₀, ŷ₁, …)
            labels = {step: f"ŷ{_subscript(step - 1)}" if step else f"x{_subscript(step)}"
                      for _, step in self.axes[axis] if step is not None}
        ids = self.per_step(stage.name, axis, 0, "input", "x", IO_SIZE, {"layer": stage.name}, labels=labels)
        self.outputs[stage.name] = self.sequence_output(axis, 0, ids, "x")
        self.row_label(axis, 0, label)

    def input_label(self, stage) -> str:
        """An input row's label: "input x" (or its name, of several inputs), what it holds, how many values a step."""
        tokens = " (token ids)" if stage.extra.get("tokens") else ""
        values = f"\n{stage.features} values a step" if (stage.features or 0) > WRITTEN_VALUES else ""
        if stage.name in self.fed_back:
            values = "\nŷ one step before"
        name = f"input '{stage.name}'" if self.named_inputs else INPUT_NAME
        return f"{name}{tokens}{values}"

    def clear_of_labels(self, text) -> float | None:
        """Where a new axis starts so that its row label ``text`` ends ``LABEL_CLEARANCE`` right of the nodes left of
        it (None: at the cursor, which leaves room for labels of up to 17 characters)."""
        if not self.axes:
            return None
        width = LABEL_CHARACTER * max(map(len, text.split("\n")))
        last = self.cursor - AXIS_GAP  # the last step drawn so far
        return max(self.cursor, last + CELL_SIZE[0] / 2 + LABEL_CLEARANCE + width + LABEL_GAP + CELL_SIZE[0] / 2)

    def add_repeat(self, stage):
        source_id = self.last_node(stage.sources[0])
        axis = self.new_axis(stage.repeat)
        source = self.node(source_id)  # a cell's last h is copied as named ("h₁₁"), not as a "c" like a cell state
        copied = source.label if source.role == "cell" else None
        labels = {step: copied for _, step in self.axes[axis] if step is not None} if copied else None
        ids = self.per_step(stage.name, axis, 0, "context", "c", IO_SIZE, {"layer": stage.name}, labels=labels)
        for target in ids.values():
            self.edges.append(self.copied(source, self.node(target)))
        self.outputs[stage.name] = self.sequence_output(axis, 0, ids, "c")
        self.row_label(axis, 0, f"RepeatVector({stage.repeat})")

    def copied(self, source, target) -> Edge:
        """A RepeatVector's copy of ``source`` into ``target``: straight from a cell; from a vector (a column of its
        own, the row labels between it and the copies in the way of straight wires), out of its left side, down past
        its input and caption to a bus under the copies' row, and up into each copy."""
        if source.role == "cell":
            return Edge(source.id, target.id, "repeat")
        side = source.x - source.width / 2 - REPEAT_SIDE
        bus = target.y - target.height / 2 - REPEAT_BUS
        return Edge(source.id, target.id, "repeat", points=((side, source.y), (side, bus), (target.x, bus)))

    def add_recurrent(self, stage, trace_layers, consumers=()):
        """A recurrent layer: a row of cells per direction, each reading the layer below at its own step.

        A Bidirectional layer's two rows are independent: each input rises beside its forward cell to its
        backward cell, and the two directions meet only where they merge (see :meth:`add_merge`).
        """
        below = self.sequence_below(stage)
        axis = below.axis
        row = max(below.row, self.top.get(axis, below.row))  # a branch: above the other branch's rows
        row += REVERSED_ROOM if below.reversed else 0
        directions = ("forward", "backward") if stage.bidirectional else ("backward" if stage.go_backwards else "forward",)
        tops = []
        for offset, direction in enumerate(directions):
            cell_row = row + 1 + offset
            layer = part_name(stage.name, direction) if stage.bidirectional else stage.name
            if trace_layers is not None:
                layer = next(iter(traces_named((layer,), trace_layers)), layer)
            group = direction if stage.bidirectional else None
            symbol = DIRECTION_SYMBOLS[direction] if stage.bidirectional else "h"
            layer_number = self.stack_layers.get(stage.name)
            if layer_number is not None:
                symbol += f"⁽{_superscript(layer_number)}⁾"
            ids = self.per_step(stage.name, axis, cell_row, "cell", symbol, CELL_SIZE,
                                {"layer": layer, "direction": direction, "kind": stage.kind}, group,
                                mark_drop=CELL_SIZE[1] / 2)  # under the dashed link across the steps left out
            if row > below.row or below.reversed:  # past the rows of another branch, or across the steps
                self.link_past(below, ids, "input")
            elif tops:  # the backward row of a Bidirectional layer
                self.link_beside(below, ids, tops[0])
            else:
                self.link_up(below, ids, "input")
            self.chain(ids, reverse=direction == "backward", axis=axis)
            if _has_cell_state(stage):
                self.add_cell_states(stage, ids, axis, {"layer": layer, "direction": direction, "kind": stage.kind})
            self.row_label(axis, cell_row, _recurrent_title(stage, layer_number, self.called_again)
                           + (f"\n{direction}" if stage.bidirectional else ""))
            tops.append(ids)
        if stage.state_source:
            self.add_passed_states(stage, tops[0])
        top_row = row + len(directions) + (CELL_STATE_ROWS if _has_cell_state(stage) else 0)
        # Where each direction ends: the last step forwards, the first step backwards.
        finals = [ids[min(ids)] if direction == "backward" else ids[max(ids)] for ids, direction in zip(tops, directions)]
        output = _Output(top_row, finals=finals, chains=tops, axis=axis, sequence=stage.return_sequences, states=finals)
        if stage.go_backwards and not stage.bidirectional:  # its sequence, as Keras returns it: in the order it ran
            last = self.lengths[axis] - 1
            output = replace(output, chains=[{last - step: node for step, node in tops[0].items()}], reversed=True)
        if stage.bidirectional:
            output = self.add_merge(stage, output, consumers)
        self.outputs[stage.name] = output

    def add_cell_states(self, stage, cells, axis, data):
        """An LSTM's cell state c: a box on top of each cell, chained like h; wires up from h go round it."""
        ids = {}
        for step, cell_id in cells.items():
            cell = self.node(cell_id)
            ids[step] = self.cell_states_on[cell_id] = f"{stage.name}/c/{step}"
            self.nodes.append(Node(ids[step], cell.x, cell.y + cell.height, cell.width, cell.height, "state",
                                   f"c{_subscript(step)}", data={**data, "step": step, "state": "c"}))
        self.groups[f"{stage.name}/c"] = tuple(ids.values())
        self.chain(ids, reverse=data["direction"] == "backward", axis=axis, role="conveyor")  # along with h
        self.routes.update(dict.fromkeys(cells.values(), self.round_cell_state))
        self.cell_states[stage.name] = ids

    def add_passed_states(self, stage, cells):
        """``initial_state`` from another layer: its last h into the first cell, and its last c into the first c."""
        self.edges.append(self.handed_over(self.state_node(stage.state_source), cells[min(cells)]))
        given, taking = self.cell_states.get(stage.state_source), self.cell_states.get(stage.name)
        if given and taking:
            self.edges.append(Edge(given[max(given)], taking[min(taking)], "state", label="state", data={"state": "c"}))

    def handed_over(self, source, target) -> Edge:
        """A state handed from ``source`` to ``target``: straight across, or, if the target's row label stands in the
        way (a decoder on a time axis of its own), down, under the label and up into the target, off its centre."""
        start, end = self.node(source), self.node(target)
        if not (start.y == end.y and any(label.y == end.y and start.x < label.x < end.x for label in self.labels)):
            return Edge(source, target, "state", label="state", data={"state": "h"})
        out, low = start.x + start.width / 2 + WIRE_GAP, end.y - self.pitch / 2
        return Edge(source, target, "state", label="state", data={"state": "h"},
                    points=((out, start.y), (out, low), (end.x - REFERENCE_SIDE, low)))

    def add_merge(self, stage, output, consumers) -> _Output:
        """Where a Bidirectional layer's directions merge (``merge_mode``): once, the forward row's last state with the
        backward row's state at step 0, where it ends; or at every step (``return_sequences``).

        Left to the layers reading them (edges up from forward cells going round the backward cells) when Keras
        does not merge (``merge_mode=None``), or when per-step merges are not drawn and no reader needs one value.
        """
        forward, backward = output.chains
        mode = stage.merge_mode or "concat"  # Keras's default
        read_as_one = any(reader.role == "repeat" or reader.role == "recurrent" and reader.bidirectional
                          for reader in consumers)
        if mode == "None" or stage.return_sequences and not (self.merges or read_as_one):
            self.routes.update(dict.fromkeys(forward.values(), self.beside_above))
            self.routes[output.finals[1]] = self.up_then_across
            return output
        row, size = output.row + 1, (CELL_SIZE[0], IO_SIZE[1])
        if stage.return_sequences:
            ids = self.per_step(stage.name, output.axis, row, "merge", "", size, {"layer": stage.name}, "merge",
                                labels=dict.fromkeys(forward, mode))
            for step, target in ids.items():
                self.edges += [self.beside_above(forward[step], target), Edge(backward[step], target, "flow")]
            return replace(self.sequence_output(output.axis, row, ids), states=output.states)
        node_id = f"{stage.name}/merge"
        self.nodes.append(Node(node_id, self.axes[output.axis][-1][0], row * self.pitch, *size, "merge", mode,
                               data={"layer": stage.name}))
        self.edges += [self.beside_above(output.finals[0], node_id), self.up_then_across(output.finals[1], node_id)]
        return _Output(row, finals=[node_id], axis=output.axis, states=output.states)

    def add_band(self, stage, given=None):
        """Layers that change time, as one band: the shown input steps enter it, each step above names those it reads."""
        below = self.sequence_below(stage)
        ranges, reason = _band_ranges(stage.extra, self.lengths[below.axis], given)
        axis = self.new_axis(len(ranges) if ranges else given, x0=self.axes[below.axis][0][0])
        row, y = below.row + 1, (below.row + 1) * self.pitch
        xs = [x for x, _ in self.axes[below.axis] + self.axes[axis]]
        left, right = min(xs) - self.widths[axis] / 2, max(xs) + self.widths[axis] / 2
        note = "" if ranges else f"which steps below each step reads is not known: {reason}"
        self.nodes.append(Node(stage.name, (left + right) / 2, y, right - left, BAND_HEIGHT, "band", note,
                               data={"layer": stage.name, "layers": [name for name, _ in stage.extra["folded"]]}))
        last = self.lengths[below.axis] - 1
        for x, column in self.axes[below.axis]:  # the input steps enter at the bottom edge, each over its column
            if column is not None:
                step = last - column if below.reversed else column  # a reversed sequence's step k: cell T-1-k's h
                port = f"{stage.name}/in/{step}"
                self.nodes.append(Node(port, x, y - BAND_HEIGHT / 2, 0.0, 0.0, "port", shape="text", data={"step": step}))
                self.edges.extend(Edge(chain[step], port, "flow") for chain in below.chains if step in chain)
        if ranges:
            shown = {step: ranges[step] for _, step in self.axes[axis] if step is not None}
            cells = (lambda read: tuple(last - k for k in read)) if below.reversed else tuple  # noqa: E731
            labels = {step: _range_text(below.symbol, *cells(read)) for step, read in shown.items()}
            ids = self.per_step(stage.name, axis, row, "window", "", (0.8 * COLUMN, BAND_HEIGHT), {"layer": stage.name},
                                shape="text", labels=labels, step_data={j: {"reads": list(r)} for j, r in shown.items()})
        else:  # leaving at the top edge, with no claim on which inputs they come from
            ids = self.per_step(stage.name, axis, row, "port", "", (0.0, BAND_HEIGHT), {"layer": stage.name}, shape="text")
            self.nodes = [node for node in self.nodes if node.id != f"{stage.name}/…/{row}"]  # not over the note
        self.outputs[stage.name] = self.sequence_output(axis, row, ids, "z")
        count = f"{self.lengths[below.axis]} → {self.lengths[axis]} steps"
        self.row_label(below.axis, row, f"{_names(stage)}\n{count}")

    def add_elided(self, stage):
        """Recurrent layers left out: a "⋮" at every step, between the layer below and the one above."""
        below = self.sequence_below(stage)
        row = below.row + 1
        ids = self.per_step(stage.name, below.axis, row, "elided", "", (0.5, 0.5), {"layer": stage.name},
                            shape="text", labels={step: "⋮" for _, step in self.axes[below.axis]})
        self.link_up(below, ids, "input")
        self.outputs[stage.name] = self.sequence_output(below.axis, row, ids)
        self.row_label(below.axis, row, f"{_names(stage)}\nnot drawn")

    def chain(self, ids, *, reverse, axis, role="recurrent"):
        steps = [step for _, step in self.axes[axis]]
        shown = [s for s in steps if s is not None]
        pairs = list(zip(shown[:-1], shown[1:]))
        for a, b in pairs:
            elided = steps.index(b) - steps.index(a) > 1
            source, target = (ids[b], ids[a]) if reverse else (ids[a], ids[b])
            self.edges.append(Edge(source, target, role, style="dashed" if elided else "solid"))

    def add_per_step_or_vector(self, stage, *, final, readers=()):
        """A layer applied at every step of a sequence, or once to a vector; the model's output if ``final``.

        A Dense layer of several units on a recurrent layer's last value, read by nothing or by layers that say how
        they are drawn (AddBack), is a head: a box, then its values, each on its own (see :meth:`add_head`).
        """
        source = self.outputs[stage.sources[0]]
        row = source.row
        role = {"embedding": "embedding", "conv1d": "conv1d", "masking": "masking"}.get(stage.role, "layer")
        symbol = {"embedding": "e", "conv1d": "z", "masking": "x"}.get(stage.role, "d")
        if final:
            role, symbol = "output", "ŷ"
        name = _reader_name(stage, self.called_again)
        if stage.name in self.fans:  # a window read by a recurrent layer: arrows from every input step it reads
            axis, reads = self.fans[stage.name]
            ids = self.per_step(stage.name, axis, row + 1, role, symbol, IO_SIZE, {"layer": stage.name},
                                step_data={step: {"reads": read} for step, read in reads.items()})
            for step, target in ids.items():
                self.edges.extend(Edge(source.chains[0][read], target, "flow") for read in reads[step])
            self.outputs[stage.name] = self.sequence_output(axis, row + 1, ids, symbol)
            self.row_label(axis, row + 1, f"{name}\n{_window_text(stage.extra['time'])}\n"
                                          f"{self.lengths[source.axis]} → {self.lengths[axis]} steps")
            return
        if source.sequence:
            self.add_per_step(stage, source, role, symbol, name)
            return
        if (stage.role == "dense" and stage.units > 1 and source.axis is not None
                and all("drawn_as" in reader.extra for reader in readers)):
            self.add_head(stage, source, final=final)
            return
        reference = self.reference(stage)
        if source.head and reference:
            self.add_head_values(stage, source, reference[1])
            return
        # once, on the vector: above the end of the source's time axis, or above the vector itself; above every
        # vector it reads (a Concatenate of two encoders' last states, each on a time axis of its own)
        read = [self.outputs[name] for name in dict.fromkeys(stage.sources)]
        row = max(each.row for each in read)
        x = self.axes[source.axis][-1][0] if source.axis is not None else self.node(source.finals[0]).x
        node_id = stage.name
        y = (row + 1) * self.pitch
        self.nodes.append(Node(node_id, x, y, *IO_SIZE, role, symbol,
                               data={"layer": stage.name}))
        if x not in self.vector_columns:  # above the end of a time axis: label to the right, narrow
            self.labels.append(_text_label(name.replace(" (", "\n("), x + IO_SIZE[0] / 2 + 0.15, y, "left"))
        else:  # on a column of its own before a time axis: caption over the node, clear of the wires leaving it
            self.labels.append(_text_label(name, x, y + 0.5, "center", role="caption"))
        finals = [final for each in read for final in each.finals]
        floor = max(self.top_of(final) for final in finals)  # the wires run across above every source
        for final in finals:
            route = self.routes.get(final) or partial(self.up_across_under, floor=floor)
            self.edges.append(route(final, node_id, "output"))
        self.outputs[stage.name] = _Output(row + 1, finals=[node_id])

    def add_per_step(self, stage, source, role, symbol, name):
        """A layer applied at every step of ``source``; one saying which step it also reads (ChangeFrom: today) gets a
        wire from that step into every other, and is labelled with what it computes ("x₀−x₃₉")."""
        reference = self.reference(stage) if len(stage.sources) == 1 else None
        labels, size = None, IO_SIZE
        if reference is not None:
            step, _ = reference
            labels = {shown: f"{source.symbol}{_subscript(shown)}−{source.symbol}{_subscript(step)}"
                      for _, shown in self.axes[source.axis] if shown is not None}
            size = (CELL_SIZE[0], IO_SIZE[1])  # room for a value
            what = stage.extra["drawn_as"].get("reference_name")
            name += f"\n{what} = {source.symbol}{_subscript(step)}" if what else ""
        elif "drawn_as" in stage.extra and len(stage.sources) > 1:  # AddBack on a forecast at every step
            name += f"\n(each step's own {self.outputs[stage.sources[-1]].symbol})"
        # Every sequence it reads on this axis (a Concatenate of two branches); drawn above everything there so far.
        read = [source] if "drawn_as" in stage.extra else [source] + [
            self.outputs[name] for name in stage.sources[1:]
            if self.outputs[name].sequence and self.outputs[name].axis == source.axis]
        row = max([*(each.row for each in read), self.top.get(source.axis, source.row)]) + 1
        row += REVERSED_ROOM if any(each.reversed for each in read) else 0
        ids = self.per_step(stage.name, source.axis, row, role, symbol, size, {"layer": stage.name}, labels=labels)
        for each in read:  # past the rows of another branch, if any are between, or across the steps
            linked = self.link_past if row > each.row + 1 or each.reversed else self.link_up
            linked(each, ids, "output" if role == "output" else "flow")
        if reference is not None:
            self.link_reference(*reference, ids)
        self.outputs[stage.name] = self.sequence_output(source.axis, row, ids, symbol)
        self.row_label(source.axis, row, name)

    def add_head(self, stage, source, *, final):
        """A Dense layer of several units on a recurrent layer's last value: a box over a column per unit, ending
        at the last step (past the wire round an LSTM's cell state); its values above it if it is the model's output."""
        start = self.node(source.finals[0])
        routed = start.id in self.routes
        right = max(start.x + start.width / 2, (self.side_of(start) if routed else start.x) + WIRE_GAP)
        columns = tuple(right - HEAD_SIZE[0] / 2 - (stage.units - 1 - k) * HEAD_PITCH for k in range(stage.units))
        left, row = columns[0] - HEAD_SIZE[0] / 2, source.row + 1
        label = f"{stage.class_name}, {stage.units} units"
        self.nodes.append(Node(stage.name, (left + right) / 2, row * self.pitch, right - left, BAND_HEIGHT, "layer",
                               label, data={"layer": stage.name}))
        up = self.edge_up if routed else self.straight_up
        self.edges += [up(final_id, stage.name, "flow") for final_id in source.finals]
        self.outputs[stage.name] = _Output(row, finals=[stage.name], head=columns)
        if final:
            self.add_head_values(stage, self.outputs[stage.name])

    def add_head_values(self, stage, head, reference=None):
        """The values of a Dense head, each a node over its column (ŷ₁, ŷ₂, …): the model's output. A layer
        adding a step of the input to each (AddBack: today) gets a wire from it, round the head's right, into each."""
        box, row = self.node(head.finals[0]), head.row + 1
        ids = {}
        for k, x in enumerate(head.head):
            ids[k] = f"{stage.name}/{k + 1}"
            self.nodes.append(Node(ids[k], x, row * self.pitch, *HEAD_SIZE, "output", f"ŷ{_subscript(k + 1)}",
                                   data={"layer": stage.name, "output": k}))
            self.edges.append(Edge(box.id, ids[k], "output", points=((x, box.y + box.height / 2),)))
        if reference is not None:
            self.link_from_above(reference, ids, box.x + box.width / 2 + WIRE_GAP)
        text = _head_label(stage.extra.get("drawn_as"), len(ids))
        self.labels.append(_text_label(text, head.head[0] - HEAD_SIZE[0] / 2 - 0.2, row * self.pitch, "right"))
        self.outputs[stage.name] = _Output(row, finals=list(ids.values()))

    def reference(self, stage):
        """(step, node id) of the step of its last input that a layer saying so (``drawn_as["reference"]``) reads at
        every step, if that input is a sequence with that step drawn; else None."""
        which = stage.extra.get("drawn_as", {}).get("reference")
        given = self.outputs[stage.sources[-1]]
        if which is None or not given.sequence:
            return None
        step = 0 if which == "first" else self.lengths[given.axis] - 1
        return (step, given.chains[0][step]) if step in given.chains[0] else None

    def link_reference(self, step, reference, ids):
        """An edge from ``reference`` (the node of ``step``) into each of ``ids`` but its own step's, along a wire
        between the two rows, entering each node off its centre on the reference's side."""
        source = self.node(reference)
        for shown, target in ids.items():
            if shown == step:
                continue  # the step's own edge
            node = self.node(target)
            wire = (source.y + source.height / 2 + node.y - node.height / 2) / 2
            side = node.x + math.copysign(REFERENCE_SIDE, source.x - node.x)
            self.edges.append(Edge(reference, target, "flow", points=((source.x, wire), (side, wire))))

    def link_from_above(self, reference, ids, x):
        """An edge from ``reference`` into the top of each of ``ids``: out of its right side, up at ``x``, across."""
        source = self.node(reference)
        for target in ids.values():
            node = self.node(target)
            top = node.y + node.height / 2 + WIRE_GAP
            self.edges.append(Edge(reference, target, "flow", points=((x, source.y), (x, top), (node.x, top))))

    def add_state_output(self, stage):
        """The states a model ending in a recurrent layer outputs, over everything on its axis: the final state(s),
        or the sequence, each step ``k`` above its own column (a reversed sequence's step k: the state after input
        step T-1-k, wired across from that step's cell)."""
        output = self.outputs[stage.name]
        row = max(output.row, self.top.get(output.axis, output.row)) + (REVERSED_ROOM if output.reversed else 0)
        self.top[output.axis] = row + 1
        up = self.edge_up if row == output.row else self.rising_past
        if not output.sequence:  # one output: the final state of each direction, or their merge
            x = self.axes[output.axis][-1][0]
            self.nodes.append(Node(f"{stage.name}/output", x, (row + 1) * self.pitch, *IO_SIZE, "output", "h",
                                   data={"layer": stage.name}))
            for final in output.finals:
                self.edges.append(up(final, f"{stage.name}/output", "output"))
            return
        columns = {step: x for x, step in self.axes[output.axis] if step is not None}
        last = self.lengths[output.axis] - 1
        for step in output.chains[0]:
            node_id = f"{stage.name}/output/{step}"
            label = "h" + _subscript(last - step if output.reversed else step)
            self.nodes.append(Node(node_id, columns[step], (row + 1) * self.pitch, *IO_SIZE, "output", label,
                                   data={"layer": stage.name, "step": step}))
            for ids in output.chains:  # both directions of a Bidirectional layer feed its output, if not merged
                self.edges.append(up(ids[step], node_id, "output"))

    # helpers -------------------------------------------------------------
    def sequence_below(self, stage) -> _Output:
        """The output ``stage`` reads, which must be a sequence."""
        below = self.outputs[stage.sources[0]]
        if not below.sequence:
            raise ValueError(f"stages: {stage.role} layer {stage.name!r} reads a vector, expected a sequence")
        return below

    def last_node(self, stage_name):
        """The node holding a stage's final value (a Bidirectional layer's: its merge, or its forward direction's)."""
        return self.outputs[stage_name].finals[0]

    def state_node(self, stage_name):
        """The node holding a stage's final state (a Bidirectional layer's: its forward direction's)."""
        output = self.outputs[stage_name]
        return (output.states or output.finals)[0]

    def node(self, node_id):
        return next(node for node in self.nodes if node.id == node_id)


def _has_cell_state(stage) -> bool:
    """True for a (one-way) recurrent layer whose cells carry a cell state c besides h (the LSTM kinds)."""
    return stage.kind in CELL_KINDS and "c" in CELL_KINDS[stage.kind].states and not stage.bidirectional


def _recurrent_title(stage, layer_number=None, called_again=frozenset()) -> str:
    """"LSTM, 32 units", under the layer's name unless Keras made it up from the class ("lstm", "gru_2"), and, in a
    stack, under "layer k" (the name left out when it says no more: "layer_2"); a layer the model calls more than
    once (``called_again``) is named on each of its rows with the call's number ("encoder, call 2")."""
    title = CELL_KINDS[stage.kind].title if stage.kind in CELL_KINDS else stage.extra.get("cell_class", stage.kind)
    units = f"{title}, {stage.units} unit{'' if stage.units == 1 else 's'}"
    default = re.sub(r"_\d+$", "", stage.name) in (stage.kind, stage.class_name.lower())
    if layer_number is not None and re.fullmatch(r"layer_?\d+", stage.name):
        default = True
    name = _call_name(stage.name, called_again)
    lines = [f"layer {layer_number}"] * (layer_number is not None) + [name] * (not default or name != stage.name)
    return "\n".join([*lines, units])


def _call_name(name: str, called_again) -> str:
    """``name``, or for a call of a layer the model calls more than once, "encoder, call 2"."""
    layer, call = call_of(name)
    return f"{layer}, call {call}" if layer in called_again else name


def _text_label(text, x, y, anchor, role="row") -> Label:
    """A label with room for its longest line."""
    return Label(text, x, y, role=role, anchor=anchor, width=LABEL_CHARACTER * max(map(len, text.split("\n"))))


def _range_text(symbol, first, last) -> str:
    """"x₂…x₅", or "x₂" for one step."""
    return f"{symbol}{_subscript(first)}" + (f"…{symbol}{_subscript(last)}" if last != first else "")


def _reader_name(stage, called_again=frozenset()) -> str:
    """What a layer's row is called: its own name for a reader (``drawn_as``), the layers folded into it, or
    "name (Class)"."""
    if "drawn_as" in stage.extra:
        return stage.extra["drawn_as"]["name"]
    return _names(stage) if stage.role == "folded" else f"{_call_name(stage.name, called_again)} ({stage.class_name})"


def _head_label(drawn_as, count) -> str:
    """"output ŷ", or a layer's own name for it and what its values are: "+ today → ŷ\n1 … 5 steps ahead"."""
    if not drawn_as:
        return "output ŷ"
    return f"{drawn_as['name']} → ŷ" + (f"\n1 … {count} {drawn_as['outputs']}" if "outputs" in drawn_as else "")


def _names(stage) -> str:
    """The layers a folded stage stands for: its only one, or the first and the last on two lines."""
    names = [name for name, _ in stage.extra["folded"]]
    if len(names) == 1:
        return f"{names[0]}\n({stage.class_name})"
    return f"{names[0]} …\n… {names[-1]}"


def _window_text(window) -> str:
    """"kernel 4, stride 2" (and the dilation and padding where they are not the default)."""
    text = f"kernel {window['kernel']}, stride {window['stride']}"
    text += f", dilation {window['dilation']}" if window["dilation"] != 1 else ""
    return text + (f", {window['padding']}" if window["padding"] != "valid" else "")


def _fan_window(stage, consumers):
    """The window layer an input feeds through layers that keep time, if it is drawn as a fan (marked by ``_banded``)."""
    while len(consumers[stage.name]) == 1:
        stage = consumers[stage.name][0]
        if stage.role in OWN_ROWS or "time" in stage.extra:
            return stage if stage.extra.get("fan") else None
    return None


def _written(stage) -> int:
    """How many values are written under each step of an input (none past WRITTEN_VALUES: its row label counts them)."""
    return stage.features if 1 <= (stage.features or 0) <= WRITTEN_VALUES else 1


def _fan_columns(window, length, max_steps, x0, written=1) -> tuple:
    """Columns of an input and of the window layer reading it, so each step sits over the middle of what it reads.

    Returns (input columns, window columns, {shown step: the input steps it reads}, input pitch).
    As many steps are shown as let their inputs (with ``written`` values under each) fit the
    width of ``max_steps`` even columns.
    """
    count, first = window_steps(window, length)
    pitch = max(COLUMN / window["stride"], MIN_PITCH * written)
    middle = first + window["dilation"] * (window["kernel"] - 1) / 2  # of step 0's window, in input steps
    for half in range(max(max_steps // 2, 1), 0, -1):
        shown = shown_steps(count, 2 * half)
        blocks = [block for block in _blocks(shown) if block]
        reads = {step: window_reads(window, length, step) for block in blocks for step in block}
        inputs, outputs, end = [], [], None
        for block in blocks:  # place each block, then the next right of it past an "…"
            read = range(min(reads[block[0]]), max(reads[block[-1]]) + 1)
            xs_in = [(step - read.start) * pitch for step in read]
            xs_out = [(middle + step * window["stride"] - read.start) * pitch for step in block]
            shift = x0 - min(xs_in + xs_out) if end is None else max(
                end[0] + 2 * pitch - min(xs_in), end[1] + 2 * COLUMN - min(xs_out))
            if end is not None:  # the "…" halfway across the gap
                inputs.append(((end[0] + xs_in[0] + shift) / 2, None))
                outputs.append(((end[1] + xs_out[0] + shift) / 2, None))
            inputs += [(x + shift, step) for x, step in zip(xs_in, read)]
            outputs += [(x + shift, step) for x, step in zip(xs_out, block)]
            end = (inputs[-1][0], outputs[-1][0])
        width = max(x for x, _ in inputs + outputs) - min(x for x, _ in inputs + outputs)
        if width <= max_steps * COLUMN + 1e-9:
            break
    return inputs, outputs, reads, pitch


def _blocks(shown) -> list:
    """``shown`` (steps with None for "…") split at the "…"."""
    blocks = [[]]
    for step in shown:
        if step is None:
            blocks.append([])
        else:
            blocks[-1].append(step)
    return blocks


def _band_ranges(extra, length, given) -> tuple:
    """(ranges, reason): for each step after a band, the first and last input step it reads; or None and why not."""
    if extra["time"] == "unknown":
        return None, extra["unknown"]
    try:
        ranges = step_ranges(extra["time"], length)
    except (ValueError, IndexError):  # a step reading nothing but padding
        return None, "a step reads only padding"
    if given is not None and len(ranges) != given:
        return None, f"their arithmetic gives {len(ranges)} steps, the layer above has {given}"
    return ranges, ""


def folded_diagram(kind: str = "simple_rnn", *, label: str = "h") -> Diagram:
    """One recurrent cell before unrolling: its input below, its output above, and the loop feeding it back.

    The picture every unrolled diagram starts from ("a recurrent neuron"); the
    cell node's ``data`` carries ``kind`` like the cells of an unrolled diagram.
    """
    cell = Node("cell", 0.0, 0.0, 1.1, 0.62, "cell", label, data={"kind": kind, "direction": "forward"})
    nodes = (
        Node("input", 0.0, -1.35, 0.8, 0.45, "input", "xₜ"),
        cell,
        Node("output", 0.0, 1.35, 0.8, 0.45, "output", "hₜ"),
    )
    loop = Edge("cell", "cell", "recurrent", points=((1.05, 0.0), (1.05, 0.72), (0.25, 0.72)))
    edges = (Edge("input", "cell", "input"), loop, Edge("cell", "output", "flow"))
    return Diagram("folded", nodes, edges, (Label("hₜ₋₁", 1.25, 0.36, "caption", "left"),))
