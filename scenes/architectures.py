"""Architectures: sequence-to-vector, vector-to-sequence, sequence-to-sequence, encoder–decoder, bidirectional.

    manim -ql scenes/architectures.py ArchitecturesScene

One after another, each a small real Keras model (the gallery's) recorded on
seeded inputs and drawn unrolled with its states, the slide figure's geometry.
"""

from __future__ import annotations

from manim import DOWN, LEFT, UL, FadeIn, FadeOut, Rectangle, config

from rnnviz import lessons
from rnnviz.recording.experiments import ARCHITECTURES, TRAINED_ARCHITECTURES  # plain data
from rnnviz.scenes.painter import THEME, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.scenes.traces import default_architecture_traces
from rnnviz.scenes.unrolled import UnrolledMobject
from rnnviz.style import neutral


class ArchitecturesScene(SteppedScene):
    """The architecture family, one model at a time; ``traces`` maps a caption to a ModelTrace (default: the gallery's five)."""

    def __init__(self, traces=None, *, seed: int = 0, step: int | None = None, **kwargs):
        self.traces = default_architecture_traces(seed) if traces is None else traces
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        return [caption.partition(": ")[0] for caption in self.traces]

    def model(self, step: int) -> list:
        """Architecture ``step``'s title, subtitle and unrolled model."""
        caption, trace = list(self.traces.items())[step]
        heading, _, example = caption.partition(": ")
        title = text(heading, font_size=34).to_corner(UL, buff=0.3)
        lesson = {ARCHITECTURES[name]: lesson for name, (lesson, _) in TRAINED_ARCHITECTURES.items()}.get(caption)
        what = "an untrained model" if lesson is None else "a trained model"
        taught = None if lesson is None else lessons.get(lesson)
        tokens, fed_back = (None, None) if taught is None else (taught.tokens, taught.fed_back)
        subtitle = text(f"{example}; {what}, its real values", font_size=20, colour=neutral("muted", THEME))
        subtitle.next_to(title, DOWN, buff=0.12).align_to(title, LEFT)
        return [title, subtitle, UnrolledMobject(trace, max_steps=6, width=13.8, height=5.6, tokens=tokens,
                                                       fed_back=fed_back).move_to(DOWN * 0.55)]

    def still(self, step: int):
        self.add(*self.model(step))

    def animate(self):
        # Between models the frame dips to the background: one full-frame curtain fades, not the
        # diagrams (manim copies whatever it fades, and a diagram with its values is large).
        curtain = Rectangle(width=config.frame_width + 1, height=config.frame_height + 1, stroke_width=0)
        curtain.set_fill(neutral("background", THEME), opacity=1.0)
        shown = []
        for step in range(len(self.traces)):
            self.begin_step(step)
            model = self.model(step)
            if shown:
                self.play(FadeIn(curtain), run_time=0.3)
                self.remove(*shown)
            self.add(*model, curtain)
            self.play(FadeOut(curtain), run_time=0.4)
            self.end_step(1.5)
            shown = model
        self.wait(0.3)
