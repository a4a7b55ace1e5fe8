"""The unrolled picture of a model: every recurrent layer as a chain of steps, with what feeds it and what it feeds.

Columns are time steps (long sequences elided: first steps, "…", last steps),
rows go up through the model: inputs, embeddings, one row per recurrent layer
(two for a Bidirectional one), outputs. A RepeatVector starts a new time axis to
the right, so an encoder–decoder is drawn as one; ``initial_state`` passed from
one layer to another is drawn as a state arrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rnnviz.diagrams.architecture import Stage
from rnnviz.diagrams.geometry import Diagram, Edge, Label, Node
from rnnviz.kinds import CELL_KINDS

COLUMN = 1.6  # distance between steps
ROW = 1.35  # distance between rows
CELL_SIZE = (1.1, 0.62)
IO_SIZE = (0.8, 0.45)
DEFAULT_STEPS = 5  # shown for a time axis of unknown length
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def shown_steps(length: int, max_steps: int = 8) -> list:
    """The steps drawn for a sequence of ``length``: all of them, or the first and last with ``None`` for "…"."""
    if max_steps < 2:
        raise ValueError(f"max_steps: expected at least 2, got {max_steps}")
    if length <= max_steps:
        return list(range(length))
    head = max_steps // 2
    tail = max_steps - head
    return [*range(head), None, *range(length - tail, length)]


def unrolled_diagram(stages: list, *, steps=None, max_steps: int = 8, trace_layers=None) -> Diagram:
    """Lay out ``stages`` (from :func:`describe_model` or :func:`stages_from_trace`) unrolled in time.

    Parameters
    ----------
    stages : list of Stage
    steps : int or dict of str to int, optional
        The length of each input sequence (by input stage name), overriding what the
        stages say; a single int for every input.
    max_steps : int
        At most this many steps are drawn per time axis; longer ones are elided.
    trace_layers : sequence of str, optional
        The names of the traced layers, so a cell's ``data["layer"]`` is the name a
        trace knows it by (``"<name>/forward"`` for the directions of a Bidirectional one).
    """
    layout = _Layout(max_steps)
    consumers = {stage.name: [s for s in stages if stage.name in (*s.sources, s.state_source)] for stage in stages}
    for stage in stages:
        if stage.role == "input":
            layout.add_input(stage, _length(stage, steps))
        elif stage.role == "repeat":
            layout.add_repeat(stage)
        elif stage.role == "recurrent":
            layout.add_recurrent(stage, trace_layers)
        else:
            layout.add_per_step_or_vector(stage, final=not consumers[stage.name])
    for stage in stages:  # a model ending in a recurrent layer outputs its states
        if stage.role == "recurrent" and not consumers[stage.name]:
            layout.add_state_output(stage)
    return layout.diagram()


def _length(stage: Stage, steps) -> int | None:
    if isinstance(steps, dict):
        return steps.get(stage.name, stage.steps)
    return steps if steps is not None else stage.steps


@dataclass
class _Output:
    """Where a stage's output was drawn.

    chains: per direction, {step: node id} of its nodes at the shown steps (none for a vector);
    finals: the node(s) holding the final value (each direction's last state, or the vector);
    sequence: True when the output is a sequence on ``axis`` (None for a vector off any axis).
    """

    row: int
    finals: list
    chains: list = field(default_factory=list)
    axis: int | None = None
    sequence: bool = False


class _Layout:
    """Places nodes axis by axis; each stage's output is either on a time axis (per step) or a single vector."""

    def __init__(self, max_steps):
        self.max_steps = max_steps
        self.nodes, self.edges, self.labels, self.groups = [], [], [], {}
        self.cursor = 0.0  # x where the next time axis starts
        self.outputs = {}  # stage name -> _Output
        self.axes = []  # per axis: the shown columns, [(x, step or None for "…")]
        self.vector_columns = set()  # x of the columns that hold a vector input and what it feeds

    # time axes -----------------------------------------------------------
    def new_axis(self, length):
        columns = shown_steps(DEFAULT_STEPS if length is None else length, self.max_steps)
        xs = [self.cursor + COLUMN * i for i in range(len(columns))]
        self.cursor = xs[-1] + COLUMN * 2.8  # room for the next axis's row labels
        self.axes.append(list(zip(xs, columns)))
        return len(self.axes) - 1

    def sequence_output(self, axis, row, ids):
        """The output of a layer drawn at every step of ``axis``: it ends at the last step."""
        return _Output(row, finals=[ids[max(ids)]], chains=[ids], axis=axis, sequence=True)

    def row_label(self, axis, row, text):
        x0 = self.axes[axis][0][0] - CELL_SIZE[0] / 2 - 0.25
        if axis == 0 or not any(label.y == row * ROW and label.x == x0 for label in self.labels):
            self.labels.append(Label(text, x0, row * ROW, role="row", anchor="right"))

    def per_step(self, stage, axis, row, role, symbol, size, data=None, group=None):
        """One node per shown step (and "…" where steps are elided); returns {step: node id}."""
        ids = {}
        for x, step in self.axes[axis]:
            if step is None:
                self.nodes.append(Node(f"{stage}/…/{row}", x, row * ROW, 0.5, 0.3, "ellipsis", "…", "text"))
                continue
            node_id = f"{stage}/{step}" if group is None else f"{stage}/{group}/{step}"
            label = f"{symbol}{str(step).translate(SUBSCRIPTS)}" if symbol else ""
            self.nodes.append(Node(node_id, x, row * ROW, *size, role, label, data={"step": step, **(data or {})}))
            ids[step] = node_id
        self.groups[stage if group is None else f"{stage}/{group}"] = tuple(ids.values())
        return ids

    def link_up(self, source: _Output, target_ids, role="flow"):
        """An edge into each target from the node(s) at the same step below (both directions of a Bidirectional)."""
        for step, target in target_ids.items():
            for chain in source.chains:
                if step in chain:
                    self.edges.append(Edge(chain[step], target, role))

    # stages --------------------------------------------------------------
    def add_input(self, stage, length):
        if not stage.extra.get("sequence", stage.steps is not None):
            node_id = stage.name
            self.nodes.append(Node(node_id, self.cursor, 0.0, *IO_SIZE, "input", "x", data={"layer": stage.name}))
            self.vector_columns.add(self.cursor)
            self.labels.append(Label("input vector", self.cursor, -0.5, role="caption"))
            self.cursor += COLUMN * 3.0  # room for the next axis's row labels
            self.outputs[stage.name] = _Output(0, finals=[node_id])
            return
        axis = self.new_axis(length)
        ids = self.per_step(stage.name, axis, 0, "input", "x", IO_SIZE, {"layer": stage.name})
        self.outputs[stage.name] = self.sequence_output(axis, 0, ids)
        tokens = " (token ids)" if stage.extra.get("tokens") else ""
        self.row_label(axis, 0, f"input{tokens}")

    def add_repeat(self, stage):
        source_id = self.last_node(stage.sources[0])
        axis = self.new_axis(stage.repeat)
        ids = self.per_step(stage.name, axis, 0, "context", "c", IO_SIZE, {"layer": stage.name})
        for target in ids.values():
            self.edges.append(Edge(source_id, target, "repeat"))
        self.outputs[stage.name] = self.sequence_output(axis, 0, ids)
        self.row_label(axis, 0, f"RepeatVector({stage.repeat})")

    def add_recurrent(self, stage, trace_layers):
        below = self.outputs[stage.sources[0]]
        axis, row = below.axis, below.row
        if not below.sequence:
            raise ValueError(f"stages: recurrent layer {stage.name!r} reads a vector, expected a sequence")
        title = CELL_KINDS[stage.kind].title if stage.kind in CELL_KINDS else stage.kind
        directions = ("forward", "backward") if stage.bidirectional else ("backward" if stage.go_backwards else "forward",)
        tops = []
        for offset, direction in enumerate(directions):
            cell_row = row + 1 + offset
            layer = f"{stage.name}/{direction}" if stage.bidirectional else stage.name
            if trace_layers is not None and layer not in trace_layers:
                layer = next((name for name in trace_layers if name.split("#")[0] == layer), layer)
            group = direction if stage.bidirectional else None
            ids = self.per_step(stage.name, axis, cell_row, "cell", "h", CELL_SIZE,
                                {"layer": layer, "direction": direction, "kind": stage.kind}, group)
            self.link_up(below, ids, "input")
            self.chain(ids, reverse=direction == "backward", axis=axis)
            label = f"{stage.name}\n{title}, {stage.units} unit{'' if stage.units == 1 else 's'}"
            self.row_label(axis, cell_row, label + (f"\n{direction}" if stage.bidirectional else ""))
            tops.append(ids)
        if stage.state_source:
            self.edges.append(Edge(self.last_node(stage.state_source), tops[0][min(tops[0])], "state", label="state"))
        top_row = row + len(directions)
        # Where each direction ends: the last step forwards, the first step backwards.
        finals = [ids[min(ids)] if direction == "backward" else ids[max(ids)] for ids, direction in zip(tops, directions)]
        self.outputs[stage.name] = _Output(top_row, finals=finals, chains=tops, axis=axis,
                                           sequence=stage.return_sequences)

    def chain(self, ids, *, reverse, axis):
        steps = [step for _, step in self.axes[axis]]
        shown = [s for s in steps if s is not None]
        pairs = list(zip(shown[:-1], shown[1:]))
        for a, b in pairs:
            elided = steps.index(b) - steps.index(a) > 1
            source, target = (ids[b], ids[a]) if reverse else (ids[a], ids[b])
            self.edges.append(Edge(source, target, "recurrent", style="dashed" if elided else "solid"))

    def add_per_step_or_vector(self, stage, *, final):
        """A layer applied at every step of a sequence, or once to a vector; the model's output if ``final``."""
        source = self.outputs[stage.sources[0]]
        row = source.row
        role = {"embedding": "embedding", "conv1d": "conv1d", "masking": "masking"}.get(stage.role, "layer")
        symbol = {"embedding": "e", "conv1d": "z", "masking": "x"}.get(stage.role, "d")
        if final:
            role, symbol = "output", "ŷ"
        if source.sequence:
            ids = self.per_step(stage.name, source.axis, row + 1, role, symbol, IO_SIZE, {"layer": stage.name})
            self.link_up(source, ids, "output" if role == "output" else "flow")
            self.outputs[stage.name] = self.sequence_output(source.axis, row + 1, ids)
            self.row_label(source.axis, row + 1, f"{stage.name} ({stage.class_name})")
            return
        # once, on the vector: above the end of the source's time axis, or above the vector itself
        x = self.axes[source.axis][-1][0] if source.axis is not None else self.node(source.finals[0]).x
        node_id = stage.name
        y = (row + 1) * ROW
        self.nodes.append(Node(node_id, x, y, *IO_SIZE, role, symbol,
                               data={"layer": stage.name}))
        text = f"{stage.name} ({stage.class_name})"
        if x not in self.vector_columns:  # above the end of a time axis: label to the right
            self.labels.append(Label(text, x + IO_SIZE[0] / 2 + 0.15, y, role="row", anchor="left"))
        else:  # on a column of its own before a time axis: caption under the node
            self.labels.append(Label(text, x, y - 0.5, role="caption"))
        for final in source.finals:
            self.edges.append(Edge(final, node_id, "output"))
        self.outputs[stage.name] = _Output(row + 1, finals=[node_id])

    def add_state_output(self, stage):
        output = self.outputs[stage.name]
        row, first = output.row, output.chains[0]
        if not output.sequence:  # one output: the final state of each direction
            x = self.axes[output.axis][-1][0]
            self.nodes.append(Node(f"{stage.name}/output", x, (row + 1) * ROW, *IO_SIZE, "output", "h",
                                   data={"layer": stage.name}))
            for final in output.finals:
                self.edges.append(Edge(final, f"{stage.name}/output", "output"))
            return
        for step in first:
            node_id = f"{stage.name}/output/{step}"
            label = "h" + str(step).translate(SUBSCRIPTS)
            self.nodes.append(Node(node_id, self.node(first[step]).x, (row + 1) * ROW, *IO_SIZE, "output", label,
                                   data={"layer": stage.name, "step": step}))
            for ids in output.chains:  # both directions of a Bidirectional layer feed its output
                self.edges.append(Edge(ids[step], node_id, "output"))

    # helpers -------------------------------------------------------------
    def last_node(self, stage_name):
        """The node holding a stage's final value (a Bidirectional layer's: its forward direction's)."""
        return self.outputs[stage_name].finals[0]

    def node(self, node_id):
        return next(node for node in self.nodes if node.id == node_id)

    def diagram(self):
        return Diagram("unrolled", tuple(self.nodes), tuple(self.edges), tuple(self.labels), dict(self.groups))


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
