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
    config,
    Write,
)

from rnnviz.scenes.painter import THEME, DiagramMobject, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.scenes.traces import default_stack_traces, trace_from_environment
from rnnviz.scenes.unrolled import UnrolledMobject
from rnnviz.style import neutral

SECONDS_PER_STEP = 0.35


PARTS = {  # part -> its heading, the size its chain is drawn at and where
    "neuron": ("The recurrent neuron", 4.6, DOWN * 0.5),
    "layer": ("A layer: a vector of units at every step", 4.6, DOWN * 0.5),
    "deep": ("A deep RNN: layers stacked, each feeding the next", 5.6, DOWN * 0.55),
}
PART_NAMES = {"neuron": "neuron", "layer": "layer", "deep": "deep RNN"}  # in the steps' names


class UnrollingScene(SteppedScene):
    """The recurrent neuron folded, then unrolled with its values; a layer; a deep RNN.

    ``trace`` (optional) is drawn as the deep RNN; the neuron and the layer are
    small seeded SimpleRNNs recorded here. A step is one time step of one part:
    "neuron, step 3", "layer, step 0", "deep RNN, step 5".
    """

    def __init__(self, trace=None, *, step: int | None = None, **kwargs):
        trace = trace if trace is not None else trace_from_environment(what="the unrolling scene")
        traces = default_stack_traces()  # shipped: small untrained SimpleRNNs (scenes/make_default_data.py)
        if trace is not None:
            traces["deep"] = trace
        self.traces = traces
        self.chains = {part: UnrolledMobject(self.traces[part], width=12.6, height=height).move_to(place)
                       for part, (_, height, place) in PARTS.items()}
        # (part, time step) of every step, in order; elided time steps are not drawn, so not steps
        self.parts = [(part, time) for part, chain in self.chains.items() for time in chain.steps()]
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        return [f"{PART_NAMES[part]}, step {time}" for part, time in self.parts]

    def heading(self, part):
        return text(PARTS[part][0], font_size=32).to_corner(UL, buff=0.3)

    def equation(self, title):
        equation = text("hₜ = tanh(wₓ xₜ + wₕ hₜ₋₁ + b)", font_size=24, slant="ITALIC").next_to(title, DOWN, buff=0.2)
        return equation.align_to(title, LEFT)

    @staticmethod
    def caption():
        return text("unrolled through time: one copy of the cell per step, the same (untrained) weights", font_size=20,
                    colour=neutral("muted", THEME)).to_edge(DOWN, buff=0.3)

    @staticmethod
    def cells(chain) -> list:
        """The outline of every drawn cell, in time order (the neuron's grow out of the folded cell)."""
        return [chain.diagram.get_node(node_id) for step in chain.steps() for node_id in chain.cells_at(step)]

    @staticmethod
    def values_at(chain, time) -> list:
        """What appears at time step ``time``: its inputs, then its cells' states (bottom layer first) and what
        the model outputs then."""
        return ([chain.values_of(node_id) for node_id in chain.inputs_at(time)],
                [*(chain.values_of(node_id) for node_id in chain.cells_at(time)),
                 *(chain.outputs[node_id] for node_id in chain.outputs_at(time))])

    def still(self, step: int):
        part, time = self.parts[step]
        chain = self.chains[part]
        title = self.heading(part)
        self.add(title)
        if part == "neuron":  # as unfolded: the cells, then the rest of the chain
            cells = self.cells(chain)
            self.add(self.equation(title), *cells, chain.skeleton(leave_out=cells), self.caption())
        else:
            self.add(chain.skeleton())
        for shown in chain.steps():
            if shown > time:
                break
            inputs, cells = self.values_at(chain, shown)
            self.add(*inputs, *cells)

    def animate(self):
        from rnnviz.diagrams.unrolled import folded_diagram

        steps = iter(range(len(self.parts)))
        self.title = title = self.heading("neuron")
        equation = self.equation(title)
        folded = DiagramMobject(folded_diagram(), height=3.2).move_to(DOWN * 0.4)
        neuron, layer, deep = self.chains.values()
        self.begin_step(next(steps))  # the intro belongs to the neuron's first step
        self.play(Write(title), FadeIn(folded), run_time=1.0)
        self.play(FadeIn(equation), Indicate(folded.get_edge("cell", "cell")), run_time=1.0)
        self.unfold(folded, neuron)
        self.step_through(neuron, steps)

        self.begin_step(next(steps))
        self.cut_to(PARTS["layer"][0], show=[layer.skeleton()], hide=[neuron, equation, self.caption_shown])
        self.step_through(layer, steps)

        self.begin_step(next(steps))
        self.cut_to(PARTS["deep"][0], show=[deep.skeleton()], hide=[layer])
        self.step_through(deep, steps)
        self.wait(0.8)

    def unfold(self, folded, chain):
        """The folded cell grows into every step's cell, the inputs and links appear."""
        cells = self.cells(chain)
        centre = folded.get_node("cell").get_center()
        caption = self.caption()
        rest = chain.skeleton(leave_out=cells)
        self.play(FadeOut(folded), LaggedStart(*[GrowFromPoint(cell, centre) for cell in cells], lag_ratio=0.12),
                  run_time=1.4)
        self.play(FadeIn(rest), FadeIn(caption), run_time=0.6)
        self.caption_shown = caption

    def step_through(self, chain, steps):
        """Each time step (a step of the scene; the part's first one already begun): its input appears, then its
        cells' states, as recorded."""
        for index, time in enumerate(chain.steps()):
            if index:
                self.begin_step(next(steps))
            inputs, cells = self.values_at(chain, time)
            self.play(*[FadeIn(part, shift=UP * 0.1) for part in inputs],
                      LaggedStart(*[FadeIn(part) for part in cells], lag_ratio=0.5), run_time=SECONDS_PER_STEP)
            self.end_step()

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
