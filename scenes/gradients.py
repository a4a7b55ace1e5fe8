"""Vanishing gradients: the error signal travels back through the unrolled chain and fades, SimpleRNN beside LSTM.

    manim -ql scenes/gradients.py VanishingGradientsScene
    rnnviz render gradients --trace profile.npz      (a saved rnnviz.gradient_profile)

How strong the signal is at each step is ``||d h_T / d h_t||`` from
:func:`rnnviz.gradient_profile` (the median over the batch, relative to the last
step); the decay curve beneath is drawn from the same numbers as the signal moves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Axes,
    Create,
    Dot,
    FadeIn,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from rnnviz.diagrams.architecture import Stage
from rnnviz.diagrams.unrolled import unrolled_diagram
from rnnviz.kinds import CELL_KINDS
from rnnviz.scenes.painter import THEME, DiagramMobject, text
from rnnviz.scenes.stepped import SteppedScene
from rnnviz.profile import load_profile
from rnnviz.scenes.traces import profiles_from_environment
from rnnviz.style import PALETTE, neutral
from rnnviz.views.gradients import decay_view

SECONDS = 7.0  # for the signal to travel the whole chain
MAX_CELLS = 16  # a longer sequence is drawn every few steps
DATA = Path(__file__).parent / "data"
DEFAULT_PROFILES = {"SimpleRNN": DATA / "adding_simple_rnn.npz", "LSTM": DATA / "adding_lstm.npz"}


class VanishingGradientsScene(SteppedScene):
    """Each profile's chain lights up backwards with the gradient's strength; the decay curves grow beneath."""

    def __init__(self, profiles=None, *, description: str = "", step: int | None = None, **kwargs):
        if profiles is None:
            profiles = profiles_from_environment()
        if profiles is None:  # trained models (untrained, the LSTM fades faster): see make_default_data.py
            profiles = {label: load_profile(path) for label, path in DEFAULT_PROFILES.items()}
            curves = decay_view(profiles, description=profiles["LSTM"].extra["description"])
        else:
            curves = decay_view(profiles)
        # Median over the batch, by steps back, relative to the last step (where d h_T / d h_T = I).
        self.decay = {label: (curves.kinds[label], relative) for label, relative in curves.relative_medians().items()}
        self.steps = min(len(values) for _, values in self.decay.values())
        # The steps back each drawn cell stands for (0: the last step), at most MAX_CELLS of them.
        self.cell_steps = np.unique(np.round(np.linspace(0, self.steps - 1, min(self.steps, MAX_CELLS))).astype(int))
        batch = max(len(norms) for norms in curves.norms.values())
        summary = curves.description or f"||d h_T / d h_t|| from rnnviz.gradient_profile on {batch} sequences"
        drawn = len(self.cell_steps)
        every = "" if drawn == self.steps else f"; {drawn} of {self.steps} steps drawn"
        self.description = description or f"{summary}; median{every}"
        super().__init__(step=step, **kwargs)

    def step_names(self) -> list:
        return [f"{back} step{'s' * (back != 1)} back" for back in self.cell_steps.tolist()]

    def layout(self, back) -> tuple:
        """``(still parts, moving parts)``: title, chains, axes and their labels; each chain's signal and decay curve,
        following ``back`` (a ValueTracker of the steps back), with the chains' cells lighting up behind it."""
        title = text("Vanishing gradients: the error signal fades as it travels back", font_size=30)
        title.to_corner(UL, buff=0.3)
        subtitle = text(self.description, font_size=17, colour=neutral("muted", THEME))
        if subtitle.width > config.frame_width - 0.6:
            subtitle.scale_to_fit_width(config.frame_width - 0.6)
        subtitle.next_to(title, DOWN, buff=0.1).align_to(title, LEFT)
        title = VGroup(title, subtitle)
        logs = {label: np.log10(np.maximum(values[: self.steps], 1e-30)) for label, (_, values) in self.decay.items()}
        decades = max(1.0, np.ceil(-min(v.min() for v in logs.values())))
        chains = VGroup(*[self.chain(label, kind) for label, (kind, _) in self.decay.items()])
        chains.arrange(DOWN, buff=0.35).next_to(title, DOWN, buff=0.35).to_edge(LEFT, buff=0.4)
        axes = Axes(x_range=(0, self.steps - 1, max(1, round(self.steps / MAX_CELLS))), y_range=(-decades, 0.5, 1), x_length=8.5, y_length=3.2,
                    axis_config={"color": neutral("muted", THEME), "tip_width": 0.14, "tip_height": 0.14})
        axes.to_edge(DOWN, buff=0.75).shift(RIGHT * 0.6)
        axis_labels = self.axis_labels(axes, decades)
        moving = VGroup()
        for chain, label in zip(chains, self.decay):
            cells, signal_dot = chain.cells, Dot(radius=0.11, color=neutral("text", THEME))
            strength = logs[label]
            signal_dot.add_updater(lambda dot, cells=cells, strength=strength: self.move_signal(
                dot, cells, strength, back.get_value(), decades, self.cell_steps))
            for k, cell in zip(self.cell_steps, cells[::-1]):  # steps back: the last cell first
                cell.add_updater(lambda m, k=k, strength=strength: m.set_fill(
                    opacity=_brightness(strength[k], decades) if back.get_value() >= k else 0.05))
            curve = VMobject(color=PALETTE[self.decay[label][0]], stroke_width=4)
            curve.add_updater(lambda m, strength=strength: m.set_points_as_corners(
                _curve_points(axes, strength, back.get_value())))
            moving.add(signal_dot, curve)
        return VGroup(title, chains, axes, axis_labels), moving

    def still(self, step: int):
        back = ValueTracker(self.cell_steps[step])
        (title, chains, axes, axis_labels), moving = self.layout(back)
        for mobject in [*chains.get_family(), *moving]:
            mobject.update()
            mobject.clear_updaters()
        self.add(title, chains, axes, axis_labels, *moving)

    def animate(self):
        back = ValueTracker(0.0)
        (title, chains, axes, axis_labels), moving = self.layout(back)
        self.begin_step(0)  # the signal at the last step: the intro
        self.play(Write(title), FadeIn(chains), run_time=1.0)
        self.play(Create(axes), FadeIn(axis_labels), run_time=0.8)
        moving.update()  # placed now: a wait runs no updaters unless something moves
        self.add(*moving)
        self.end_step()
        for step in range(1, len(self.cell_steps)):  # the signal travels to the next drawn cell back
            self.begin_step(step)
            travelled = self.cell_steps[step] - self.cell_steps[step - 1]
            self.play(back.animate.set_value(self.cell_steps[step]), run_time=SECONDS * travelled / max(self.steps - 1, 1),
                      rate_func=linear)
            self.end_step()
        for mobject in self.mobjects:
            mobject.clear_updaters()
        self.wait(1.0)

    def chain(self, label, kind) -> VGroup:
        """The unrolled layer's cells and recurrent links (the slide figure's geometry), its name on the left."""
        cells = len(self.cell_steps)
        stages = [Stage("input", "input", "InputLayer", steps=cells, features=1),
                  Stage(kind, "recurrent", CELL_KINDS[kind].title, sources=("input",), kind=kind, units=1)]
        # Every cell drawn (no width limit: the row is scaled to the frame below), so cell k from the right
        # is the one ``cell_steps[k]`` steps back that the signal and the section names refer to.
        geometry = unrolled_diagram(stages, max_steps=cells, max_width=float("inf"))
        painted = DiagramMobject(geometry)
        cells = [painted.get_node(node.id) for node in sorted(geometry.find("cell"), key=lambda n: n.data["step"])]
        if len(cells) != len(self.cell_steps):
            raise RuntimeError(f"the {label} chain draws {len(cells)} cells for {len(self.cell_steps)} steps")
        links = [painted.get_edge(e.source, e.target) for e in geometry.edges if e.role == "recurrent"]
        for cell in cells:
            cell.set_fill(PALETTE[kind], opacity=0.05)
        group = VGroup(*links, *cells).scale_to_fit_width(11.0)
        name = text(label, font_size=22, colour=PALETTE[kind]).next_to(group, LEFT, buff=0.3)
        row = VGroup(name, group)
        row.cells = cells
        return row

    @staticmethod
    def move_signal(dot, cells, strength, back, decades, cell_steps):
        """Put the signal between the cells it is passing, as bright and as large as the gradient is strong."""
        last = len(cells) - 1
        position = float(np.interp(back, cell_steps, np.arange(len(cell_steps))))  # in cells back from the last
        k = min(int(np.floor(position)), last - 1) if last else 0
        share = position - k
        here, there = cells[last - k].get_center(), cells[max(last - k - 1, 0)].get_center()
        dot.move_to(here + (there - here) * share)
        level = np.interp(back, np.arange(len(strength)), strength)
        brightness = _brightness(level, decades)
        dot.set_opacity(max(0.15, brightness))
        dot.width = 0.08 + 0.22 * brightness

    def axis_labels(self, axes, decades) -> VGroup:
        muted = neutral("muted", THEME)
        labels = [text("steps back from the last state", font_size=18, colour=muted).next_to(axes, DOWN, buff=0.4),
                  text("‖∂h_T / ∂h_t‖ on a log scale: 1 at the last step T", font_size=18, colour=muted)
                  .next_to(axes, UP, buff=0.1).align_to(axes, LEFT)]
        for decade in range(0, int(decades) + 1, max(1, int(decades) // 4)):
            tick = text(f"1e-{decade}" if decade else "1", font_size=14, colour=muted)
            labels.append(tick.next_to(axes.c2p(0, -decade), LEFT, buff=0.1))
        for step in range(0, self.steps, max(1, self.steps // 5)):
            labels.append(text(str(step), font_size=14, colour=muted).next_to(axes.c2p(step, -decades), DOWN, buff=0.1))
        return VGroup(*labels)


def _brightness(log_strength, decades) -> float:
    """1 at full strength, falling linearly with each decade lost, to 0 at ``decades`` lost."""
    return float(np.clip(1.0 + log_strength / decades, 0.0, 1.0))


def _curve_points(axes, strength, back):
    """The decay curve up to ``back`` steps back (interpolated at the end), as points on ``axes``."""
    shown = np.arange(0, int(np.floor(back)) + 1)
    points = [axes.c2p(k, strength[k]) for k in shown]
    if back > shown[-1] and shown[-1] + 1 < len(strength):
        points.append(axes.c2p(back, np.interp(back, np.arange(len(strength)), strength)))
    if len(points) == 1:
        points.append(points[0])
    return points
