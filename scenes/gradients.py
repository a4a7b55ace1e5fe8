"""Vanishing gradients: the error signal travels back through the unrolled chain and fades, SimpleRNN beside LSTM.

    manim -ql scenes/gradients.py VanishingGradientsScene
    rnnviz render gradients --trace profile.npz      (a saved rnnviz.gradient_profile)

How strong the signal is at each step is ``||d h_T / d h_t||`` (Frobenius) from
:func:`rnnviz.gradient_profile`, the median over the batch: what the slide figures
draw (:class:`rnnviz.views.gradients.DecayView`), so the curve starts at the last
step where they do, at ``||I|| = sqrt(units)``. The chain runs forward in time, as in
every unrolled picture of the lecture; the axis beneath counts steps back from the
right, so each cell stands right above its point of the curve, which grows to the
left with the signal.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
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
    Line,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from rnnviz.diagrams.architecture import Stage
from rnnviz.diagrams.unrolled import SUPERSCRIPTS, unrolled_diagram
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
        # Median over the batch by steps back, as the slide figures draw it.
        self.decay = {label: (curves.kinds[label], median) for label, median in curves.medians().items()}
        self.steps = min(len(values) for _, values in self.decay.values())
        self.logs = {label: np.log10(np.maximum(values[: self.steps], 1e-30)) for label, (_, values) in self.decay.items()}
        # The y axis in whole decades, from below the weakest to above the strongest value.
        self.bottom = int(np.floor(min(values.min() for values in self.logs.values())))
        self.top = max(int(np.ceil(max(values.max() for values in self.logs.values()))), self.bottom + 1)
        self.wrt = curves.wrt
        self.start_note = _start_note(curves.wrt, [values[0] for _, values in self.decay.values()])
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
        title = self.heading()
        axes = self.axes().to_edge(DOWN, buff=0.95).to_edge(RIGHT, buff=0.7)
        chains = VGroup(*[self.chain(label, kind, axes) for label, (kind, _) in self.decay.items()])
        _stack_under(title, chains, buff=0.35)
        moving = VGroup()
        for chain, label in zip(chains, self.decay):
            relative = self.logs[label] - self.logs[label][0]  # decades lost since the last step: the brightness
            decades = max(1.0, -relative.min())
            signal_dot = Dot(radius=0.11, color=neutral("text", THEME))
            signal_dot.add_updater(lambda dot, cells=chain.cells, relative=relative, decades=decades: self.move_signal(
                dot, cells, relative, back.get_value(), decades, self.cell_steps))
            for k, cell in zip(self.cell_steps, chain.cells[::-1]):  # steps back: the last cell first
                cell.add_updater(lambda m, k=k, relative=relative, decades=decades: m.set_fill(
                    opacity=_brightness(relative[k], decades) if back.get_value() >= k else 0.05))
            curve = VMobject(color=PALETTE[self.decay[label][0]], stroke_width=4)
            curve.add_updater(lambda m, strength=self.logs[label]: m.set_points_as_corners(
                self.curve_points(axes, strength, back.get_value())))
            moving.add(signal_dot, curve)
        starts = [Dot(self.point(axes, 0, self.logs[label][0]), radius=0.07, color=PALETTE[kind])
                  for label, (kind, _) in self.decay.items()]  # where each curve starts, shown from the first step
        return VGroup(title, chains, axes, VGroup(self.axis_labels(axes), *starts)), moving

    def heading(self) -> VGroup:
        """The title and, under it, what was measured."""
        title = text("Vanishing gradients: the error signal fades as it travels back", font_size=30)
        title.to_corner(UL, buff=0.3)
        subtitle = text(self.description, font_size=17, colour=neutral("muted", THEME))
        if subtitle.width > config.frame_width - 0.6:
            subtitle.scale_to_fit_width(config.frame_width - 0.6)
        subtitle.next_to(title, DOWN, buff=0.1).align_to(title, LEFT)
        return VGroup(title, subtitle)

    def axes(self) -> Axes:
        """x: ``steps - 1 - steps back`` (the last step on the right); y: decades above :attr:`bottom`.

        The x axis has no ticks or tip of its own (:meth:`axis_labels` draws them in steps back).
        """
        return Axes(x_range=(0, self.steps - 1, self.steps - 1), y_range=(0, self.top - self.bottom, 1),
                    x_length=10.5, y_length=3.6,
                    axis_config={"color": neutral("muted", THEME), "tip_width": 0.14, "tip_height": 0.14},
                    x_axis_config={"include_ticks": False, "include_tip": False})

    def point(self, axes, back, log_value):
        """Where the value ``10 ** log_value`` at ``back`` steps back goes on ``axes``."""
        return axes.c2p(self.steps - 1 - back, log_value - self.bottom)

    def curve_points(self, axes, strength, back) -> list:
        """The decay curve up to ``back`` steps back (interpolated at the end), as points on ``axes``."""
        shown = np.arange(0, int(np.floor(back)) + 1)
        points = [self.point(axes, k, strength[k]) for k in shown]
        if back > shown[-1] and shown[-1] + 1 < len(strength):
            points.append(self.point(axes, back, np.interp(back, np.arange(len(strength)), strength)))
        if len(points) == 1:
            points.append(points[0])
        return points

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

    def chain(self, label, kind, axes) -> VGroup:
        """The unrolled layer's cells and recurrent links (the slide figure's geometry), its name on the left;
        each cell right above its steps back on ``axes``."""
        cells = len(self.cell_steps)
        stages = [Stage("input", "input", "InputLayer", steps=cells, features=1),
                  Stage(kind, "recurrent", CELL_KINDS[kind].title, sources=("input",), kind=kind, units=1)]
        # Every cell drawn (no width limit: the row is scaled to the axis below), so cell k from the right
        # is the one ``cell_steps[k]`` steps back that the signal and the section names refer to; each
        # moved to where its step is in the sequence, so that it stands above its point on the axis.
        geometry = unrolled_diagram(stages, max_steps=cells, max_width=float("inf"))
        geometry = _placed_at_steps(geometry, 1 - self.cell_steps[::-1] / (self.steps - 1))
        painted = DiagramMobject(geometry)
        cells = [painted.get_node(node.id) for node in sorted(geometry.find("cell"), key=lambda n: n.data["step"])]
        if len(cells) != len(self.cell_steps):
            raise RuntimeError(f"the {label} chain draws {len(cells)} cells for {len(self.cell_steps)} steps")
        links = [painted.get_edge(e.source, e.target) for e in geometry.edges if e.role == "recurrent"]
        for cell in cells:
            cell.set_fill(PALETTE[kind], opacity=0.05)
        group = VGroup(*links, *cells)
        first, last = (self.point(axes, back, self.bottom)[0] for back in self.cell_steps[[-1, 0]])
        group.scale((last - first) / (cells[-1].get_x() - cells[0].get_x()))
        group.shift(RIGHT * (first - cells[0].get_x()))
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

    def axis_labels(self, axes) -> VGroup:
        """The axes' names, the decades on the y axis, and the x axis's ticks (:meth:`x_ticks`)."""
        muted = neutral("muted", THEME)
        name = f"‖∂h_T / ∂{'h_t' if self.wrt == 'state' else 'x_t'}‖ (Frobenius), median, on a log scale{self.start_note}"
        labels = [text("← steps back from the last step (T − t)", font_size=18, colour=muted).next_to(axes, DOWN, buff=0.45),
                  text(name, font_size=18, colour=muted).next_to(axes, UP, buff=0.1).align_to(axes, LEFT)]
        for decade in range(self.bottom, self.top + 1):
            labels.append(text(_power_of_ten(decade), font_size=14, colour=muted)
                          .next_to(axes.c2p(0, decade - self.bottom), LEFT, buff=0.12))
        return VGroup(*labels, self.x_ticks(axes))

    def x_ticks(self, axes) -> VGroup:
        """On the x axis, every few steps back from 0 to ``steps - 1``: a tick, its number under it."""
        muted = neutral("muted", THEME)
        ticks = VGroup()
        for back in range(0, self.steps, _tick_step(self.steps - 1)):
            where = self.point(axes, back, self.bottom)
            mark = Line(where + UP * 0.08, where + DOWN * 0.08, color=muted, stroke_width=2)
            ticks.add(VGroup(mark, text(str(back), font_size=14, colour=muted).next_to(mark, DOWN, buff=0.08)))
        return ticks


def _brightness(log_strength, decades) -> float:
    """1 at full strength, falling linearly with each decade lost, to 0 at ``decades`` lost."""
    return float(np.clip(1.0 + log_strength / decades, 0.0, 1.0))


def _placed_at_steps(geometry, fractions):
    """``geometry`` with the nodes of drawn step ``i`` (inputs and cells) at ``fractions[i]`` of the row's span."""
    first, last = (geometry.find("cell", step=step)[0].x for step in (0, len(fractions) - 1))
    return replace(geometry, nodes=tuple(
        replace(node, x=first + (last - first) * fractions[node.data["step"]]) if "step" in node.data else node
        for node in geometry.nodes))


def _stack_under(above, rows, *, buff: float) -> None:
    """Move each of ``rows`` up or down (never sideways) to stand ``buff`` under the one before, the first under ``above``."""
    for row in rows:
        row.shift(UP * (above.get_bottom()[1] - buff - row.get_top()[1]))
        above = row


def _tick_step(span: int, most: int = 10) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... steps that cuts ``span`` into at most ``most`` intervals."""
    for exponent in itertools.count():
        for mantissa in (1, 2, 5):
            if span / (mantissa * 10**exponent) <= most:
                return mantissa * 10**exponent


def _power_of_ten(decade: int) -> str:
    """``10`` with ``decade`` as a superscript: "10⁻³"."""
    return "10" + str(decade).translate(SUPERSCRIPTS)


def _start_note(wrt: str, starts) -> str:
    """Where every curve starts, when it is the identity's norm: ``d h_T / d h_T = I`` and ``||I|| = sqrt(units)``."""
    units = round(float(np.median(starts)) ** 2)
    if wrt != "state" or not np.allclose(starts, np.sqrt(units), rtol=1e-4):
        return ""
    return f"; at the last step ‖I‖ = √{units} ≈ {np.sqrt(units):.2f}"
