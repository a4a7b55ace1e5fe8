"""Architectures: sequence-to-vector, vector-to-sequence, sequence-to-sequence, encoder–decoder, bidirectional.

    manim -ql scenes/architectures.py ArchitecturesScene

One after another, each a small real Keras model (the gallery's) recorded on
seeded inputs and drawn unrolled with its states, the slide figure's geometry.
"""

from __future__ import annotations

from manim import DOWN, LEFT, UL, FadeIn, FadeOut, Rectangle, Scene, config

from rnnviz.scenes.painter import THEME, text
from rnnviz.scenes.unrolled import UnrolledMobject
from rnnviz.style import neutral


class ArchitecturesScene(Scene):
    """The architecture family, one model at a time; ``traces`` maps a caption to a ModelTrace (default: the gallery's five)."""

    def __init__(self, traces=None, *, seed: int = 0, **kwargs):
        if traces is None:
            import rnnviz
            from rnnviz.gallery import ARCHITECTURES, architecture_models

            models = architecture_models(seed)
            traces = {ARCHITECTURES[name]: rnnviz.record(model, x) for name, (model, x) in models.items()}
        self.traces = traces
        super().__init__(**kwargs)

    def construct(self):
        self.camera.background_color = neutral("background", THEME)
        # Between models the frame dips to the background: one full-frame curtain fades, not the
        # diagrams (manim copies whatever it fades, and a diagram with its values is large).
        curtain = Rectangle(width=config.frame_width + 1, height=config.frame_height + 1, stroke_width=0)
        curtain.set_fill(neutral("background", THEME), opacity=1.0)
        shown = []
        for caption, trace in self.traces.items():
            heading, _, example = caption.partition(": ")
            title = text(heading, font_size=34).to_corner(UL, buff=0.3)
            subtitle = text(f"{example}; an untrained model, its real values", font_size=20,
                            colour=neutral("muted", THEME))
            subtitle.next_to(title, DOWN, buff=0.12).align_to(title, LEFT)
            unrolled = UnrolledMobject(trace, max_steps=6, width=12.4, height=5.6).move_to(DOWN * 0.55)
            if shown:
                self.play(FadeIn(curtain), run_time=0.3)
                self.remove(*shown)
            self.add(title, subtitle, unrolled, curtain)
            self.play(FadeOut(curtain), run_time=0.4)
            self.wait(1.5)
            shown = [title, subtitle, unrolled]
        self.wait(0.3)
