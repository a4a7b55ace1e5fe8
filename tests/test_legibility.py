"""Every gallery figure, measured as drawn at slide size: text a class can read, no overlaps, no wire through a label.

What is measured (rnnviz.mpl.legibility): the texts matplotlib draws, their size in points
on a 16:9 slide the figure is fitted to (12 pt at least), overlaps between their drawn
boxes, texts running off the figure, and in the diagram figures the wires running through
a text and the share of the slide's width the drawing takes (60 % at least).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from rnnviz import gallery, style
from rnnviz.kinds import CELL_KINDS
from rnnviz.mpl.legibility import legibility_problems

DIAGRAM_SECTIONS = {"architectures", "unrolled"}


def is_diagram(figure) -> bool:
    return figure.section in DIAGRAM_SECTIONS or figure.name.startswith("cell_")


@pytest.fixture(scope="module")
def gallery_figures():
    results, windows, traces = gallery.shipped_forecasters(0)
    return [*gallery.seeded_figures(0), *gallery._forecast_figures(results, windows), *gallery._trace_figures(traces)]


def problems_of(figure, size="16:9", theme="light") -> list:
    """Every legibility problem of the figure on a ``size`` slide, and at 16:9 of its titles: a heading on more than
    one line, an internal name."""
    with style.context("slides", theme=theme, size=size):
        display = figure.make()
        try:
            titles = title_problems(display.figure_) if size == "16:9" else []
            return legibility_problems(display.figure_, diagram=is_diagram(figure), slide=size) + titles
        finally:
            plt.close(display.figure_)


def title_problems(figure) -> list:
    """A figure without a title, a heading on more than one line, or a title naming a layer or model by code name."""
    blocks = [spacer._rnnviz_shown for spacer in (figure._suptitle, *(ax._left_title for ax in figure.axes))
              if getattr(spacer, "_rnnviz_shown", None)]
    if not blocks:
        return ["no title"]
    code_names = [f"'{kind}'" for kind in CELL_KINDS] + ["model '"]
    problems = [f"heading on more than one line: {block[0].get_text()!r}" for block in blocks
                if "\n" in block[0].get_text()]
    texts = [text.get_text() for block in blocks for text in block]
    return problems + [f"a code name in the title: {text!r}" for text in texts if any(n in text for n in code_names)]


def test_every_gallery_figure_is_legible_on_a_slide(gallery_figures):
    report = {figure.name: problems for figure in gallery_figures if (problems := problems_of(figure))}
    assert len(gallery_figures) >= 35
    assert not report, "\n".join(f"{name}:\n    " + "\n    ".join(problems[:8]) for name, problems in report.items())


@pytest.mark.slow
def test_every_gallery_figure_is_legible_on_a_4_3_slide_in_the_dark_theme(gallery_figures):
    """The same measure at 4:3 (10 x 7.5 in), dark: headings and axis labels wrap, legends take fewer columns, tick
    labels thin out and unrolled diagrams draw fewer steps rather than shrink their text (the encoder–decoder keeps
    its first and last steps). Before those, 11 figures failed here, the encoder–decoder at 9 pt."""
    report = {figure.name: problems for figure in gallery_figures if (problems := problems_of(figure, "4:3", "dark"))}
    assert not report, "\n".join(f"{name}:\n    " + "\n    ".join(problems[:8]) for name, problems in report.items())


def test_the_measure_sees_small_overlapping_and_crossed_texts():
    """The measure itself, on a figure made to fail each check."""
    from matplotlib.patches import FancyArrowPatch

    figure, ax = plt.subplots(figsize=(13.333, 7.5))
    try:
        ax.set_axis_off()
        ax.text(0.1, 0.1, "tiny", fontsize=8)
        ax.text(0.5, 0.5, "first label", fontsize=20)
        ax.text(0.52, 0.5, "second label", fontsize=20)
        ax.text(0.1, 0.8, "crossed", fontsize=20)
        ax.add_patch(FancyArrowPatch((0.05, 0.81), (0.4, 0.81), arrowstyle="-|>", transform=ax.transAxes))
        problems = legibility_problems(figure, diagram=True)
    finally:
        plt.close(figure)
    assert any("under 12 pt" in problem and "'tiny'" in problem for problem in problems)
    assert any("overlap" in problem and "first label" in problem for problem in problems)
    assert any("wire runs through 'crossed'" in problem for problem in problems)
    assert any("of the width" in problem for problem in problems)
