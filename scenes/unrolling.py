"""Unrolling: a recurrent neuron's loop unfolds into a chain of steps, then a layer, then a deep (stacked) RNN.

    manim -ql scenes/unrolling.py UnrollingScene
    rnnviz render unrolling --trace my_model.npz     (your model as the deep RNN)

The inputs enter one by one and each hidden state appears with the value the
recorded Keras model computed.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    UL,
    UP,
    FadeIn,
    FadeOut,
    GrowFromPoint,
    Indicate,
    LaggedStart,
    Rectangle,
    Scene,
    config,
    Write,
)

from rnnviz.scenes.painter import THEME, DiagramMobject, text
from rnnviz.scenes.traces import default_stack_traces, trace_from_environment
from rnnviz.scenes.unrolled import UnrolledMobject
from rnnviz.style import neutral

SECONDS_PER_STEP = 0.35


class UnrollingScene(Scene):
    """The recurrent neuron folded, then unrolled with its values; a layer; a deep RNN.

    ``trace`` (optional) is drawn as the deep RNN; the neuron and the layer are
    small seeded SimpleRNNs recorded here.
    """

    def __init__(self, trace=None, **kwargs):
        trace = trace if trace is not None else trace_from_environment(what="the unrolling scene")
        traces = default_stack_traces(steps=6)
        if trace is not None:
            traces["deep"] = trace
        self.traces = traces
        super().__init__(**kwargs)

    def construct(self):
        from rnnviz.diagrams.unrolled import folded_diagram

        self.camera.background_color = neutral("background", THEME)
        self.title = title = text("The recurrent neuron", font_size=32).to_corner(UL, buff=0.3)
        equation = text("hₜ = tanh(wₓ xₜ + wₕ hₜ₋₁ + b)", font_size=24, slant="ITALIC").next_to(title, DOWN, buff=0.2)
        equation.align_to(title, LEFT)
        folded = DiagramMobject(folded_diagram(), height=3.2).move_to(DOWN * 0.4)
        self.play(Write(title), FadeIn(folded), run_time=1.0)
        self.play(FadeIn(equation), Indicate(folded.get_edge("cell", "cell")), run_time=1.0)

        neuron = UnrolledMobject(self.traces["neuron"], width=12.6, height=4.6).move_to(DOWN * 0.5)
        self.unfold(folded, neuron)
        self.step_through(neuron)
        self.wait(0.4)

        layer = UnrolledMobject(self.traces["layer"], width=12.6, height=4.6).move_to(DOWN * 0.5)
        self.cut_to("A layer: a vector of units at every step", show=[layer.skeleton()],
                    hide=[neuron, equation, self.caption])
        self.step_through(layer)
        self.wait(0.4)

        deep = UnrolledMobject(self.traces["deep"], width=12.6, height=5.6).move_to(DOWN * 0.55)
        self.cut_to("A deep RNN: layers stacked, each feeding the next", show=[deep.skeleton()], hide=[layer])
        self.step_through(deep)
        self.wait(0.8)

    def unfold(self, folded, chain):
        """The folded cell grows into every step's cell, the inputs and links appear."""
        cells = [chain.diagram.get_node(node_id) for step in chain.steps() for node_id in chain.cells_at(step)]
        centre = folded.get_node("cell").get_center()
        caption = text("unrolled through time: one copy of the cell per step, the same (untrained) weights", font_size=20,
                       colour=neutral("muted", THEME)).to_edge(DOWN, buff=0.3)
        rest = chain.skeleton(leave_out=cells)
        self.play(FadeOut(folded), LaggedStart(*[GrowFromPoint(cell, centre) for cell in cells], lag_ratio=0.12),
                  run_time=1.4)
        self.play(FadeIn(rest), FadeIn(caption), run_time=0.6)
        self.caption = caption

    def step_through(self, chain):
        """Each step: its input appears, then its cells' states (bottom layer first), as recorded."""
        for step in chain.steps():
            inputs = [chain.values_of(node_id) for node_id in chain.inputs_at(step)]
            cells = [chain.values_of(node_id) for node_id in chain.cells_at(step)]
            self.play(*[FadeIn(part, shift=UP * 0.1) for part in inputs],
                      LaggedStart(*[FadeIn(part) for part in cells], lag_ratio=0.5), run_time=SECONDS_PER_STEP)

    def cut_to(self, heading, *, show, hide):
        """A new part: the frame dips to the background and comes back with ``heading`` and ``show``.

        Only a full-frame curtain fades (manim copies whatever it fades; the diagrams are large).
        """
        curtain = Rectangle(width=config.frame_width + 1, height=config.frame_height + 1, stroke_width=0)
        curtain.set_fill(neutral("background", THEME), opacity=1.0)
        self.play(FadeIn(curtain), run_time=0.3)
        # Parts were added one by one (as they appeared): remove every part, not just the groups.
        self.remove(self.title, *[part for group in hide for part in group.get_family()])
        self.title = text(heading, font_size=32).to_corner(UL, buff=0.3)
        self.add(self.title, *show, curtain)
        self.play(FadeOut(curtain), run_time=0.3)
