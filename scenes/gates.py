"""Gate scenes: an LSTM, peephole LSTM or GRU cell stepping through time with a trace's real values.

    manim -ql scenes/gates.py LSTMGatesScene        (or PeepholeLSTMGatesScene, GRUGatesScene)
    rnnviz render lstm --trace traces/lstm.npz

Each gate's strip shows its activation per unit (open = bright), the states'
strips their values (vermilion above zero, blue below); the cell state (the
GRU's hidden state) rides its conveyor belt from one step to the next, the
candidate mixes in, and a readout on the right gives the mean of each gate and
state at the current step.
"""

from __future__ import annotations

from manim import (
    DOWN,
    UP,
    LEFT,
    RIGHT,
    UL,
    DecimalNumber,
    Dot,
    Create,
    FadeIn,
    FadeOut,
    MoveAlongPath,
    SurroundingRectangle,
    ValueTracker,
    Square,
    VGroup,
    VMobject,
    Write,
    linear,
)

from rnnviz.kinds import CELL_KINDS
from rnnviz.scenes.cell import CellMobject
from rnnviz.scenes.painter import THEME, SceneText, text
from rnnviz.scenes.render import gates_scene_name
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.scenes.traces import check_kind, default_gate_trace, trace_from_environment
from rnnviz.style import PALETTE, neutral
from rnnviz.views.cell import cell_key
from rnnviz.views.selection import select_layer, shown_layer_name

SECONDS_PER_STEP = 1.0


class GatesScene(SteppedScene):
    """A cell of ``kind`` stepping through a trace. Subclasses fix the kind; ``trace`` is a ModelTrace or None.

    Everything that can go wrong with the trace (wrong kind, no such layer or
    sample) is checked when the scene is made, before anything renders.
    """

    kind = "lstm"

    def __init__(self, trace=None, *, layer=None, sample: int = 0, max_steps: int = 10, step: int | None = None,
                 **kwargs):
        what = f"the {CELL_KINDS[self.kind].title} gates scene"
        trace = trace if trace is not None else trace_from_environment(kinds=(self.kind,), what=what)
        shown = None
        if trace is None:
            trace, shown = default_gate_trace(self.kind)
        self.about = "; ".join(filter(None, (shown, f"values recorded from {trace.framework}")))
        check_kind(trace, (self.kind,), source="trace", what=what)
        self.cell = CellMobject.from_trace(trace, layer, sample=sample, max_steps=max_steps, width=9.5, height=5.9)
        self.layer_trace = select_layer(trace, layer)
        self.sample = sample
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        return [f"step {step}" for step in range(self.cell.steps)]

    def layout(self, tracker) -> VGroup:
        """Place the cell; the title, subtitle and readout (following ``tracker``), placed for the animation and the stills alike."""
        cell, steps = self.cell, self.cell.steps
        cell.move_to(LEFT * 2.05 + DOWN * 0.6)
        title = text(f"Inside the {CELL_KINDS[self.kind].title} cell", font_size=32).to_corner(UL, buff=0.3)
        shown = f"{steps} steps" if steps == self.layer_trace.steps else f"steps 0–{steps - 1} of {self.layer_trace.steps}"
        units, name = self.layer_trace.units, shown_layer_name(self.layer_trace.name, self.kind)
        layer = f"{name} ({CELL_KINDS[self.kind].title})" if name else CELL_KINDS[self.kind].title
        subtitle = text(f"{layer}, {units} unit{'s' * (units != 1)}, sample {self.sample}, "
                        f"{shown}\n{self.about}", font_size=17,
                        colour=neutral("muted", THEME)).next_to(title, DOWN, aligned_edge=LEFT, buff=0.12)
        readout = self.readout(tracker)  # placed with step 0's digits; each number keeps its left edge after
        key = self.key().next_to(readout, DOWN, buff=0.35, aligned_edge=LEFT)
        VGroup(readout, key).to_edge(RIGHT, buff=0.35).align_to(UP * 2.25, UP)  # under the subtitle
        return VGroup(title, subtitle, VGroup(readout, key))

    def still(self, step: int):
        tracker = ValueTracker(0)
        title, subtitle, readout = self.layout(tracker)
        tracker.set_value(step)
        readout[0].update()
        self.add(self.cell.show(step), title, subtitle, readout)

    def animate(self):
        cell, steps = self.cell, self.cell.steps
        tracker = ValueTracker(0)
        title, subtitle, readout = self.layout(tracker)
        cell.add_updater(lambda mobject: mobject.show(tracker.get_value()))
        belt = self.belt()
        for step in range(steps):
            self.begin_step(step)
            if step == 0:
                self.play(FadeIn(cell), Write(title), FadeIn(subtitle), run_time=1.2)
                self.play(FadeIn(readout), run_time=0.5)
            carried = Dot(belt.get_start(), radius=0.09, color=PALETTE[CELL_KINDS[self.kind].states[-1]])
            self.add(carried)
            self.play(tracker.animate.set_value(step), MoveAlongPath(carried, belt), rate_func=linear,
                      run_time=SECONDS_PER_STEP)
            self.remove(carried)
            if step == 1:  # once: where the candidate joins the state. A ring around it, not an animation of the
                # cell's own parts: animating a part (Indicate) left every strip frozen at this step's colours.
                ring = SurroundingRectangle(cell.get_gate("candidate")[0], color=PALETTE["candidate"], buff=0.08,
                                            stroke_width=6)
                self.play(Create(ring), run_time=0.4)
                self.play(FadeOut(ring), run_time=0.3)
            self.end_step()
        cell.clear_updaters()
        self.wait(0.5)

    def key(self) -> VGroup:
        """The strips' colours (:func:`~rnnviz.views.cell.cell_key`): the value map's ends, 0 faded to the background,
        each open gate in its colour, and a value that is not finite (filled with the text colour, as the strips do)."""
        background, muted = neutral("background", THEME), neutral("muted", THEME)

        def swatches(entry):
            colours = (neutral("text", THEME),) if entry.bad else entry.colours or (background,)
            return VGroup(*[Square(0.22, stroke_color=muted if colour == background else colour, stroke_width=1.5,
                                   fill_color=colour, fill_opacity=1) for colour in colours]).arrange(RIGHT, buff=0.03)

        key = VGroup(*[VGroup(swatches(entry), text(entry.label, font_size=18, colour=muted)).arrange(RIGHT, buff=0.15)
                       for entry in cell_key(self.cell.diagram.diagram)])
        return key.arrange(DOWN, aligned_edge=LEFT, buff=0.12)

    def belt(self) -> VMobject:
        """The path the state rides through the cell: the conveyor belt (the GRU: the hidden state's line)."""
        diagram = self.cell.diagram
        role = "conveyor" if any(e.role == "conveyor" for e in diagram.diagram.edges) else "state"
        chain, node = [], diagram.diagram.find("state", time="previous")[0].id
        edges = {edge.source: edge for edge in diagram.diagram.edges if edge.role == role}
        while node in edges:
            edge = edges[node]
            chain.append(diagram.get_edge(edge.source, edge.target))
            node = edge.target
        points = [part.get_start() for arrow in chain for part in arrow] + [chain[-1][-1].get_end()]
        return VMobject().set_points_as_corners(points)

    def readout(self, tracker) -> VGroup:
        """Step number and the mean of every gate and state at the nearest step, updated as the tracker moves."""
        shown = lambda: self.cell.step_at(tracker.get_value())  # noqa: E731  (the step the strips show)
        at_step = lambda node_id: self.cell.values[node_id][shown()].mean()  # noqa: E731
        rows = [VGroup(text("step", font_size=22), _number(shown, decimals=0))]
        for node_id in self.cell.strips:
            node = self.cell.diagram.diagram.node(node_id)
            if node.data.get("time") == "previous" or node_id == "h_up":
                continue
            name = node.data.get("gate") or node.label
            colour = PALETTE.get(node.data.get("gate") or node.data.get("state"))
            rows.append(VGroup(text(f"mean {name}", font_size=20, colour=colour), _number(lambda n=node_id: at_step(n))))
        for row in rows:
            row[1].next_to(row[0], RIGHT, buff=0.25)
        return VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.22)


def _number(value, decimals=2) -> DecimalNumber:
    """A number that follows ``value()``; redrawn only when its digits change (each redraw lays out text)."""
    number = DecimalNumber(value(), num_decimal_places=decimals, include_sign=decimals > 0, mob_class=SceneText,
                           font_size=22, color=neutral("text", THEME))

    def follow(mobject):
        new = round(float(value()), decimals)
        if new != round(float(mobject.get_value()), decimals):
            mobject.set_value(new)

    number.add_updater(follow)
    return number


def _gates_scene(kind: str) -> type:
    """The :class:`GatesScene` of one cell kind, named as :func:`rnnviz.scenes.render.gates_scene_name` says."""
    cell = CELL_KINDS[kind]
    doc = f"The {cell.title} cell stepping through a trace: its {', '.join(cell.gates)} and its states ({', '.join(cell.states)})."
    return type(gates_scene_name(kind), (GatesScene,), {"kind": kind, "__doc__": doc, "__module__": __name__})


# One scene per cell kind with gates (LSTMGatesScene, PeepholeLSTMGatesScene, GRUGatesScene), from rnnviz.kinds.
GATE_SCENES = {kind: _gates_scene(kind) for kind, cell in CELL_KINDS.items() if cell.gates}
globals().update({scene.__name__: scene for scene in GATE_SCENES.values()})
