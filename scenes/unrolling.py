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
    Scene,
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
        self.swap_title("A layer: a vector of units at every step", equation, self.caption)
        self.play(FadeOut(neuron), FadeIn(layer.skeleton()), run_time=0.8)
        self.step_through(layer)
        self.wait(0.4)

        deep = UnrolledMobject(self.traces["deep"], width=12.6, height=5.6).move_to(DOWN * 0.55)
        self.swap_title("A deep RNN: layers stacked, each feeding the next")
        self.play(FadeOut(layer), FadeIn(deep.skeleton()), run_time=0.8)
        self.step_through(deep)
        self.wait(0.8)

    def unfold(self, folded, chain):
        """The folded cell grows into every step's cell, the inputs and links appear."""
        cells = [chain.diagram.get_node(node_id) for step in chain.steps() for node_id in chain.cells_at(step)]
        centre = folded.get_node("cell").get_center()
        caption = text("unrolled through time: one copy of the cell per step, the same weights", font_size=20,
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

    def swap_title(self, new, *also_remove):
        replacement = text(new, font_size=32).to_corner(UL, buff=0.3)
        self.play(FadeOut(self.title), FadeIn(replacement), *[FadeOut(m) for m in also_remove], run_time=0.5)
        self.title = replacement

