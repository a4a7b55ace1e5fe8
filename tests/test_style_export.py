"""Themes, contexts and slide sizes (rnnviz.style) and deterministic, atomic files (rnnviz.export)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib as mpl
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnviz import style
from rnnviz.export import FORMATS, save_figure


def rc_snapshot() -> dict:
    return dict(mpl.rcParams)


def luminance(colour) -> float:
    red, green, blue = mcolors.to_rgb(colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


# ---------------------------------------------------------------- contexts restore rcParams


def test_context_manager_restores_rcparams():
    before = rc_snapshot()
    with style.context("poster", theme="dark", font_scale=1.3, size="4:3", rc={"lines.linestyle": "--"}):
        assert mpl.rcParams["lines.linestyle"] == "--"
        assert rc_snapshot() != before
    assert rc_snapshot() == before


def test_context_as_decorator_applies_and_restores():
    before = rc_snapshot()

    @style.context("slides", theme="dark")
    def font_size_inside():
        return mpl.rcParams["font.size"], mpl.rcParams["figure.facecolor"]

    assert font_size_inside() == (18.0, style.THEMES["dark"]["figure.facecolor"])
    assert font_size_inside() == (18.0, style.THEMES["dark"]["figure.facecolor"])  # reusable
    assert rc_snapshot() == before


def test_context_restores_on_exception():
    before = rc_snapshot()

    @style.context("paper", theme="dark", size="16:9")
    def failing():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        with style.context("poster", theme="dark"):
            raise RuntimeError("boom")
    with pytest.raises(RuntimeError, match="boom"):
        failing()
    assert rc_snapshot() == before
    assert style.slide_size() is None


def test_one_context_object_can_be_nested():
    before = rc_snapshot()
    slides = style.context("slides", size="16:9")
    with slides:
        with style.context("paper"):
            with slides:
                assert mpl.rcParams["font.size"] == 18.0
            assert mpl.rcParams["font.size"] == pytest.approx(9.6)
        assert mpl.rcParams["font.size"] == 18.0
        assert style.slide_size() == style.SLIDE_SIZES["16:9"]
    assert rc_snapshot() == before


def test_import_changes_no_rcparams():
    script = (
        "import matplotlib as mpl\n"
        "before = dict(mpl.rcParams)\n"
        "import rnnviz.style, rnnviz.export\n"
        "assert dict(mpl.rcParams) == before, 'rcParams changed on import'\n"
    )
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- scaling


@pytest.mark.parametrize(
    "name, factor", [("paper", 0.8), ("notebook", 1.0), ("slides", 1.5), ("talk", 1.5), ("poster", 2.0)]
)
def test_every_size_scales_by_the_context_factor(name, factor):
    notebook = style.context("notebook").rc
    scaled = style.context(name).rc
    for key in [*style.BASE_FONT_SIZES, *style.BASE_LINE_SIZES]:
        assert scaled[key] == pytest.approx(factor * notebook[key]), key


def test_slides_font_is_one_and_a_half_times_notebook_inside_the_context():
    with style.context("notebook"):
        notebook_size = mpl.rcParams["font.size"]
        notebook_legend = mpl.rcParams["legend.fontsize"]
    with style.context("slides"):
        assert mpl.rcParams["font.size"] == pytest.approx(1.5 * notebook_size)
        assert mpl.rcParams["legend.fontsize"] == pytest.approx(1.5 * notebook_legend)
        assert mpl.rcParams["xtick.major.width"] == pytest.approx(1.5 * style.BASE_LINE_SIZES["xtick.major.width"])


def test_font_scale_scales_fonts_only():
    plain = style.context("slides").rc
    larger = style.context("slides", font_scale=1.2).rc
    for key in style.BASE_FONT_SIZES:
        assert larger[key] == pytest.approx(1.2 * plain[key]), key
    for key in style.BASE_LINE_SIZES:
        assert larger[key] == plain[key], key


def test_rc_overrides_the_context():
    assert style.context("poster", rc={"font.size": 7}).rc["font.size"] == 7


# ---------------------------------------------------------------- themes


def test_dark_theme_colours_new_figures():
    with style.context(theme="dark"):
        figure, ax = plt.subplots()
        title = ax.set_title("t")
        assert luminance(figure.get_facecolor()) < 0.15
        assert luminance(ax.get_facecolor()) < 0.15
        assert luminance(title.get_color()) > 0.8
        assert luminance(ax.xaxis.get_ticklabels()[0].get_color()) > 0.8
        assert luminance(ax.spines["left"].get_edgecolor()) > 0.6
        legend_frame = ax.legend(handles=ax.plot([0, 1], label="x")).get_frame()
        assert luminance(legend_frame.get_facecolor()) < 0.15


def test_light_theme_is_white_with_dark_text():
    with style.context(theme="light"):
        figure, ax = plt.subplots()
        assert mcolors.to_hex(figure.get_facecolor()) == "#ffffff"
        assert luminance(mpl.rcParams["text.color"]) < 0.2


def test_themes_share_keys_and_a_neutral_colour_cycle():
    """A plot that picks no colour gets the theme's neutrals: no palette colour, whose meaning it would claim."""
    assert set(style.THEMES["light"]) == set(style.THEMES["dark"])
    palette = {colour.lower() for colour in (*style.PALETTE.values(), *style.VALUE_COLOURS.values(),
                                             *style.OTHER_COLOURS.values())}
    for theme in style.THEMES:
        cycle = style.THEMES[theme]["axes.prop_cycle"].by_key()["color"]
        assert cycle[:2] == [style.neutral("text", theme), style.neutral("muted", theme)] and len(set(cycle)) == len(cycle)
        assert not palette & {colour.lower() for colour in cycle}


def test_neutral_follows_current_rcparams_or_given_theme():
    for theme in style.THEMES:
        with style.context(theme=theme):
            assert [style.neutral(role) for role in style.NEUTRAL_ROLES] == [
                style.neutral(role, theme) for role in style.NEUTRAL_ROLES
            ]
    assert luminance(style.neutral("text", "dark")) > 0.8
    assert luminance(style.neutral("background", "dark")) < 0.15
    assert luminance(style.neutral("text", "light")) < 0.2
    for theme in style.THEMES:
        text, muted, background = (luminance(style.neutral(role, theme)) for role in ("text", "muted", "background"))
        assert min(text, background) < muted < max(text, background)
    assert style.neutral("text") == "#000000"  # matplotlib's default outside any context


# ---------------------------------------------------------------- slide sizes


def test_slide_size_sets_figsize_and_rnnviz_figures():
    with style.context("slides", size="16:9"):
        assert tuple(mpl.rcParams["figure.figsize"]) == style.SLIDE_SIZES["16:9"]
        figure, _ = style.new_or_given_axes()
        panels_figure, panels = style.new_or_given_panels(None, 2, what="two", figsize=(3, 3))
        assert tuple(plt.figure().get_size_inches()) == pytest.approx(style.SLIDE_SIZES["16:9"])
    assert tuple(figure.get_size_inches()) == pytest.approx((13.333, 7.5))
    assert tuple(panels_figure.get_size_inches()) == pytest.approx((13.333, 7.5)) and len(panels) == 2
    figure_outside, _ = style.new_or_given_axes()
    assert tuple(figure_outside.get_size_inches()) == pytest.approx((8, 4.5))


def test_context_without_size_keeps_rnnviz_default_sizes():
    with style.context("slides", size="4:3"):
        with style.context("paper"):
            assert style.slide_size() == (10.0, 7.5)  # inner context without size keeps the outer slide
        figure, _ = style.new_or_given_axes(figsize=(2, 2))
    assert tuple(figure.get_size_inches()) == pytest.approx((10.0, 7.5))
    with style.context("slides"):
        figure, _ = style.new_or_given_axes(figsize=(2, 2))
    assert tuple(figure.get_size_inches()) == pytest.approx((2, 2))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs, pieces",
    [
        ({"name": "lecture"}, ["name", "'lecture'", "'slides'", "'talk'"]),
        ({"theme": "sepia"}, ["theme", "'sepia'", "'light'", "'dark'"]),
        ({"size": "21:9"}, ["size", "'21:9'", "'16:9'", "'4:3'"]),
        ({"font_scale": 0}, ["font_scale", "0", "> 0"]),
        ({"rc": {"font.sise": 3}}, ["rc", "font.sise"]),
    ],
)
def test_bad_context_arguments_are_named(kwargs, pieces):
    with pytest.raises(ValueError) as error:
        style.context(**kwargs)
    message = str(error.value)
    assert message.startswith(pieces[0] + ":")
    for piece in pieces:
        assert piece in message


def test_bad_neutral_arguments_are_named():
    with pytest.raises(ValueError, match=r"^role: .*'ink'.*'text'"):
        style.neutral("ink")
    with pytest.raises(ValueError, match=r"^theme: .*'sepia'.*'dark'"):
        style.neutral("text", "sepia")


# ---------------------------------------------------------------- save_figure


def demo_figure():
    """A small figure with a line, text, an image and a legend."""
    figure, ax = plt.subplots(figsize=(3, 2))
    ax.imshow(np.arange(12.0).reshape(3, 4), extent=(0, 2, 0, 1))
    ax.plot([0, 1, 2], [1, 0, 1], color=style.color("lstm"), label="lstm")
    ax.text(0.5, 0.5, "text")
    ax.legend()
    return figure


def test_suffix_picks_the_format(tmp_path):
    written = save_figure(demo_figure(), tmp_path / "deep" / "er" / "figure.svg")
    assert written == [tmp_path / "deep" / "er" / "figure.svg"]
    assert written[0].read_bytes().startswith(b"<?xml")


def test_formats_write_one_file_each(tmp_path):
    written = save_figure(demo_figure(), tmp_path / "figure", formats=("png", "SVG", ".pdf", "png"))
    assert written == [tmp_path / f"figure.{fmt}" for fmt in ("png", "svg", "pdf")]
    assert written[0].read_bytes().startswith(b"\x89PNG")
    assert written[2].read_bytes().startswith(b"%PDF")
    assert sorted(os.listdir(tmp_path)) == ["figure.pdf", "figure.png", "figure.svg"]  # no temporary files


def test_png_dpi(tmp_path):
    (path,) = save_figure(demo_figure(), tmp_path / "figure.png", dpi=50)
    assert plt.imread(path).shape[:2] == (100, 150)


def test_same_figure_same_bytes(tmp_path):
    first = save_figure(demo_figure(), tmp_path / "a" / "figure", formats=FORMATS)
    second = save_figure(demo_figure(), tmp_path / "b" / "figure", formats=FORMATS)
    figure = demo_figure()
    third = save_figure(figure, tmp_path / "c" / "figure", formats=FORMATS)
    fourth = save_figure(figure, tmp_path / "d" / "figure", formats=FORMATS)
    for paths in (second, third, fourth):
        for reference, path in zip(first, paths):
            assert path.read_bytes() == reference.read_bytes(), path.name
    assert b"CreationDate" not in first[2].read_bytes()
    assert b"<dc:date>" not in first[1].read_bytes()
    assert b"Software" not in first[0].read_bytes()


def panels_with_colour_bars():
    """Six panels with colour bars and a figure title: a figure constrained layout has work to do."""
    figure, axes = style.new_or_given_panels(None, 6, what="panels", figsize=(13.333, 7.5), nrows=3)
    for k, ax in enumerate(axes):
        figure.colorbar(ax.imshow(np.arange(40.0).reshape(4, 10) * (k + 1), aspect="auto"), ax=ax)
        ax.set_title(f"panel {k}")
    style.figure_title(figure, "A heading", "what was measured")
    return figure


def test_every_layout_puts_the_axes_on_a_grid_of_a_millionth_of_the_figure():
    figure = panels_with_colour_bars()
    layouts = []
    for _ in range(3):  # the second and later layouts carry kiwisolver's run-to-run noise before rounding
        figure.canvas.draw()
        layouts.append(np.array([ax.get_position(original=True).get_points() for ax in figure.axes]))
    assert len(figure.axes) == 12
    for corners in layouts:
        np.testing.assert_array_equal(corners, np.round(corners, 6))
    np.testing.assert_array_equal(layouts[2], layouts[1])  # settled after the first (colour bars take their room)
    plt.close(figure)


SHIPPED_FIGURE = """
import hashlib, sys
from rnnviz import lessons, style
from rnnviz.export import save_figure
from rnnviz.figures.states import GateTimelineDisplay
with style.context("slides", size="16:9"):
    display = GateTimelineDisplay.from_trace(lessons.trace("gates", "GRU")).plot()  # laid out twice, then saved
    for path in save_figure(display.figure_, sys.argv[1], formats=("svg", "pdf")):
        print(hashlib.sha256(path.read_bytes()).hexdigest())
"""


def test_a_figure_laid_out_twice_has_the_same_bytes_in_every_process(tmp_path):
    """Before layouts were rounded, about one run in four wrote this figure's SVG clip ids and PDF text places
    differently (constrained layout's solver orders its variables by memory address)."""
    digests = {subprocess.run([sys.executable, "-c", SHIPPED_FIGURE, str(tmp_path / f"run{run}" / "gates")],
                              capture_output=True, text=True, check=True).stdout for run in range(4)}
    assert len(digests) == 1, digests


def test_no_figure_uses_unrounded_constrained_layout():
    import rnnviz
    import rnnviz.widgets

    sources = [path for root in (Path(rnnviz.__file__).parent, Path(rnnviz.widgets.__file__).parent)
               for path in root.rglob("*.py")]
    offenders = [path.name for path in sources if re.search(r"""layout(_engine\()?=?\s*["']constrained["']""",
                                                             path.read_text())]
    assert not offenders, f"use rnnviz.mpl.layout.constrained_layout() in {offenders}"


def test_save_leaves_global_rcparams_alone(tmp_path):
    before = rc_snapshot()
    save_figure(demo_figure(), tmp_path / "figure.svg")
    assert rc_snapshot() == before


def test_interrupted_save_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "figure.png"
    target.write_bytes(b"old")
    figure = demo_figure()

    def half_write(path, **kwargs):
        with open(path, "wb") as file:
            file.write(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(figure, "savefig", half_write)
    with pytest.raises(KeyboardInterrupt):
        save_figure(figure, target)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["figure.png"]


@pytest.mark.parametrize(
    "path, formats, pattern",
    [
        ("figure", ("png", "jpeg"), r"^formats: .*'jpeg'.*'png', 'svg', 'pdf'"),
        ("figure", (), r"^formats: "),
        ("figure.jpg", None, r"^path: .*figure\.jpg.*'\.png'"),
        ("figure", None, r"^path: .*figure'"),
    ],
)
def test_bad_formats_are_named(tmp_path, path, formats, pattern):
    with pytest.raises(ValueError, match=pattern):
        save_figure(demo_figure(), tmp_path / path, formats=formats)
    assert os.listdir(tmp_path) == []


def test_a_title_is_one_line_with_a_smaller_muted_subtitle_under_it():
    with style.context("slides", size="16:9"):
        figure, ax = plt.subplots(layout="constrained")
        style.axes_title(ax, "A short title", "what was measured, " * 12)
        figure.canvas.draw()
        heading, subtitle = ax._left_title._rnnviz_shown
        muted = style.neutral("muted")
    assert style.shown_title(ax).startswith("A short title\nwhat was measured")
    assert "\n" not in heading.get_text() and subtitle.get_fontsize() < heading.get_fontsize()
    assert mcolors.to_hex(subtitle.get_color()) == mcolors.to_hex(muted)
    top_of_subtitle = subtitle.get_window_extent().y1
    assert top_of_subtitle <= heading.get_window_extent().y0 + 1  # under the title, not over it
    assert subtitle.get_window_extent().y0 >= ax.get_window_extent().y1 - 1  # the layout made room above the axes
    style.axes_title(ax, "Redrawn", "")  # a widget redrawing its title replaces it
    assert style.shown_title(ax) == "Redrawn"


def test_titles_false_gives_bare_figures():
    with style.context("slides", size="16:9", titles=False):
        figure, ax = plt.subplots()
        style.axes_title(ax, "A title", "a subtitle")
        style.figure_title(figure, "A title", "a subtitle")
    assert style.shown_title(ax) == "" and style.shown_title(figure) == "" and not ax.texts
    with pytest.raises(ValueError, match="titles: expected True or False"):
        style.context("slides", titles="no")


def test_one_colour_one_meaning_readable_on_both_themes():
    """Issue 18 item 1: kinds, gates, h and c, directions, the value map's ends and the other meanings never share a
    colour, and each (a line or an outline) reaches 3:1 on both themes' backgrounds."""
    from rnnviz.palette import KIND_COLOURS

    meanings = {**style.PALETTE, **style.OTHER_COLOURS, **style.VALUE_COLOURS}
    hexes = [colour.lower() for colour in meanings.values()]
    assert len(set(hexes)) == len(hexes), meanings
    assert set(KIND_COLOURS.items()) <= set(style.PALETTE.items())

    def relative(colour):
        channels = np.array(mcolors.to_rgb(colour))
        channels = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
        return channels @ [0.2126, 0.7152, 0.0722]

    for theme in style.THEMES:
        background = relative(style.neutral("background", theme))
        for name, colour in meanings.items():
            low, high = sorted([relative(colour), background])
            assert (high + 0.05) / (low + 0.05) >= 3.0, (theme, name, colour)
