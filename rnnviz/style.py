"""One palette for every rnnviz picture, plus themes and sizes for paper, notebook and slides.

Colours follow Okabe & Ito's colour-blind-safe set. Figures, scenes and widgets
all take their colours from here; neutral colours (text, grey, background) come
from :func:`neutral`, so a figure reads on a light page and on a dark slide.

:func:`context` scales every size (fonts, lines, ticks) seaborn-style, applies a
theme and, optionally, a slide size; it restores rcParams on exit. Importing this
module changes no matplotlib state; drawing first makes sure matplotlib's
font list holds the fonts it ships (:mod:`rnnviz.mpl.fonts`).
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers
import textwrap

import matplotlib as mpl
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.text import Annotation


from rnnviz.mpl.fonts import ensure_shipped_fonts
from rnnviz.mpl.layout import constrained_layout
from rnnviz.palette import OKABE_ITO, OTHER_COLOURS, PALETTE, VALUE_COLOURS  # noqa: F401 (re-exported)


def color(name: str) -> str:
    """The palette's colour for a cell kind, gate, state or direction."""
    try:
        return PALETTE[name]
    except KeyError:
        raise ValueError(f"name: no palette colour for {name!r}; known: {sorted(PALETTE)}") from None


def new_or_given_axes(ax=None, *, figsize=(8, 4.5)):
    """``ax`` and its figure, or a new figure with one axes (never the 'current' figure).

    Inside ``context(size=...)`` a new figure takes the slide's size instead of ``figsize``.
    """
    ensure_shipped_fonts()
    if ax is not None:
        return ax.figure, ax
    figure, ax = plt.subplots(figsize=_figure_size(figsize), layout=constrained_layout())
    return figure, ax


def new_or_given_panels(ax, count: int, *, what: str, figsize, nrows=1, **subplot_kw):
    """``count`` panels: the given axes (checked), or a new figure of ``nrows`` rows; returns (figure, list).

    Inside ``context(size=...)`` a new figure takes the slide's size instead of ``figsize``.
    """
    ensure_shipped_fonts()
    if ax is None:
        figure, axes = plt.subplots(
            nrows, count // nrows, figsize=_figure_size(figsize), layout=constrained_layout(), squeeze=False, **subplot_kw
        )
        return figure, list(axes.ravel())
    axes = list(np.atleast_1d(ax))
    if len(axes) != count:
        raise ValueError(f"ax: expected {count} axes ({what}), got {len(axes)}")
    return axes[0].figure, axes


SUBTITLE_SHARE = 0.8  # a subtitle's size, as a share of its title's


def figure_title(figure, heading: str, description: str = "", width: int | None = None) -> None:
    """A one-line title over the whole figure (left-aligned) and, under it, a subtitle: what was measured.

    The subtitle is smaller and muted, wrapped at ``width`` characters (by default what fits across the
    figure). Nothing is drawn inside ``context(titles=False)``: bare figures for slides with their own titles.
    """
    if not _titles_shown.get():
        return
    size = mpl.font_manager.FontProperties(size=plt.rcParams["figure.titlesize"]).get_size_in_points()
    inches = 0.97 * figure.get_size_inches()[0]
    heading = _wrapped(heading, None, inches, size)  # one line where it fits (a 16:9 slide), else two
    wrapped = _wrapped(description, width, inches, SUBTITLE_SHARE * size)
    spacer = figure.suptitle(_spacer(heading, wrapped), x=0.01, horizontalalignment="left", color="none")
    _title_block(lambda text, **options: figure.add_artist(Annotation(text, **options)), spacer, heading, wrapped, size)


def axes_title(ax, heading: str, description: str = "", width: int | None = None) -> None:
    """A one-line title over one axes (left-aligned) with a smaller, muted subtitle under it (see figure_title)."""
    if not _titles_shown.get():
        return
    size = mpl.font_manager.FontProperties(size=plt.rcParams["axes.titlesize"]).get_size_in_points()
    inches = ax.get_position().width * ax.figure.get_size_inches()[0]
    heading = fitted_to_figure(heading, ax, size)  # a heading may run on past the axes, to the figure's edge
    wrapped = _wrapped(description, width, inches, SUBTITLE_SHARE * size)
    spacer = ax.set_title(_spacer(heading, wrapped), loc="left", color="none")
    _title_block(ax.annotate, spacer, heading, wrapped, size)  # annotate: not clipped to the axes


def fitted_to_figure(text: str, ax, size="medium", *, within_axes: bool = False) -> str:
    """``text`` broken into lines at its words where, at font ``size``, it would run past the figure's right edge
    from the left of ``ax`` (an axes' title) or, ``within_axes``, past the axes' own width (an axis label: the
    figure is laid out first, its legends in place, to know that width)."""
    engine = ax.figure.get_layout_engine()
    if within_axes and engine is not None:
        engine.execute(ax.figure)
    position, width = ax.get_position(), ax.figure.get_size_inches()[0]
    inches = position.width * width if within_axes else 0.95 * (1 - position.x0) * width
    return _wrapped(text, None, inches, mpl.font_manager.FontProperties(size=size).get_size_in_points())


def _wrapped(description: str, width: int | None, inches: float, points: float) -> str:
    """``description`` wrapped at ``width`` characters, or else at the words where its lines, as drawn at
    ``points``, fit in ``inches``."""
    if not description:
        return ""
    if width is not None:
        return textwrap.fill(description, width)
    lines = []
    for word in description.split():
        if lines and drawn_width(f"{lines[-1]} {word}", points) <= inches * 72:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def drawn_width(text: str, points: float) -> float:
    """The width in points of ``text`` (its longest line) drawn in the current font at ``points``."""
    from matplotlib.textpath import text_to_path

    font = mpl.font_manager.FontProperties(size=points)
    return max(text_to_path.get_text_width_height_descent(line, font, ismath=False)[0] for line in text.split("\n"))


def _spacer(heading: str, wrapped: str) -> str:
    """The invisible title the layout makes room for: the heading's line, then one line per subtitle line."""
    return heading + "\nAg" * (wrapped.count("\n") + 1 if wrapped else 0)


def _title_block(annotate, spacer, heading: str, wrapped: str, size: float) -> None:
    """The visible heading over the spacer's place, and the subtitle under it (both follow the layout);
    a block drawn before on the same spacer (a widget redrawing its title) is replaced."""
    for old in getattr(spacer, "_rnnviz_shown", []):
        old.remove()
    title = annotate(heading, xy=(0, 1), xycoords=spacer, va="top", ha="left", fontsize=size, color=neutral("text"),
                     annotation_clip=False, in_layout=False)
    shown = [title]
    if wrapped:
        shown.append(annotate(wrapped, xy=(0, 0), xycoords=title, xytext=(0, -0.2 * size), textcoords="offset points",
                              va="top", ha="left", fontsize=SUBTITLE_SHARE * size, color=neutral("muted"),
                              annotation_clip=False, in_layout=False))
    spacer._rnnviz_shown = shown  # for shown_title


def shown_title(target) -> str:
    """The title and subtitle :func:`figure_title` / :func:`axes_title` drew on ``target`` (a figure or axes),
    one under the other; "" if none."""
    spacer = target._suptitle if hasattr(target, "_suptitle") else target._left_title
    return "\n".join(text.get_text() for text in getattr(spacer, "_rnnviz_shown", []))


# ---------------------------------------------------------------- themes

# Line colours for plots that do not pick palette names: neutrals only (a palette colour would claim a meaning), as
# shares of the way from the text colour to the background (0: ink; 0.5: muted, still 3:1 on the background).
_COLOR_CYCLE = (0.0, 0.5, 0.25)


def _neutral_cycle(text: str, background: str) -> list:
    """The theme's line colours for plots that pick none: ink, muted and a grey between them."""
    ink, paper = (np.asarray(mcolors.to_rgb(colour)) for colour in (text, background))
    return [mcolors.to_hex((1 - share) * ink + share * paper) for share in _COLOR_CYCLE]


def _theme_rc(*, background: str, text: str, edge: str, grid: str, legend_edge: str) -> dict:
    """rcParams that colour every neutral part of a figure (backgrounds, text, ticks, spines, grid, legend)."""
    boxplot_lines = ("boxprops.color", "whiskerprops.color", "capprops.color", "flierprops.markeredgecolor")
    return {
        "figure.facecolor": background,
        "figure.edgecolor": background,
        "axes.facecolor": background,
        "axes.edgecolor": edge,
        "axes.labelcolor": text,
        "axes.titlecolor": text,
        "text.color": text,
        "xtick.color": text,
        "ytick.color": text,
        "xtick.labelcolor": text,
        "ytick.labelcolor": text,
        "grid.color": grid,
        "legend.facecolor": background,
        "legend.edgecolor": legend_edge,
        "legend.labelcolor": text,
        "patch.edgecolor": text,
        "hatch.color": text,
        "savefig.facecolor": background,
        "savefig.edgecolor": background,
        "axes.prop_cycle": cycler(color=_neutral_cycle(text, background)),
        **{f"boxplot.{key}": text for key in boxplot_lines},
    }


THEMES = {
    "light": _theme_rc(background="#FFFFFF", text="#222222", edge="#222222", grid="#D9D9D9", legend_edge="#CCCCCC"),
    "dark": _theme_rc(background="#1E1E1E", text="#E8E8E8", edge="#BDBDBD", grid="#4A4A4A", legend_edge="#6E6E6E"),
}

# Neutral role -> the rcParam that holds it ("muted" is mixed from text and background).
_NEUTRAL_KEYS = {"text": "text.color", "background": "axes.facecolor", "edge": "axes.edgecolor", "grid": "grid.color"}
NEUTRAL_ROLES = (*_NEUTRAL_KEYS, "muted")


def neutral(role: str, theme: str | None = None) -> str:
    """A theme's neutral colour (hex), so figures need not hard-code "black" or "white".

    role: "text", "muted" (grey between text and background), "background", "edge" or "grid".
    theme: a name in THEMES; None reads the current rcParams (e.g. inside :func:`context`).
    """
    if role not in NEUTRAL_ROLES:
        raise ValueError(f"role: unknown neutral role {role!r}; expected one of {list(NEUTRAL_ROLES)}")
    settings = mpl.rcParams if theme is None else THEMES[_checked("theme", theme, THEMES)]
    if role == "muted":
        return _mix(settings["text.color"], settings["axes.facecolor"])
    return mcolors.to_hex(settings[_NEUTRAL_KEYS[role]])


def hatch_colour() -> str:
    """The theme's hatch colour (its text colour when hatches follow the edge)."""
    colour = mpl.rcParams["hatch.color"]
    return mpl.rcParams["text.color"] if colour in ("edge", "inherit") else colour


def _mix(first, second) -> str:
    """The colour halfway between two colours, as hex."""
    return mcolors.to_hex((np.asarray(mcolors.to_rgb(first)) + mcolors.to_rgb(second)) / 2)


# ---------------------------------------------------------------- contexts and sizes

CONTEXT_SCALES = {"paper": 0.8, "notebook": 1.0, "slides": 1.5, "poster": 2.0}
_CONTEXT_ALIASES = {"talk": "slides"}

# Sizes at the "notebook" scale (seaborn's base context).
BASE_FONT_SIZES = {
    "font.size": 12.0,
    "axes.labelsize": 12.0,
    "axes.titlesize": 12.0,
    "figure.titlesize": 13.0,
    "figure.labelsize": 12.0,
    "xtick.labelsize": 11.0,
    "ytick.labelsize": 11.0,
    "legend.fontsize": 11.0,
    "legend.title_fontsize": 12.0,
}
BASE_LINE_SIZES = {
    "axes.linewidth": 1.25,
    "grid.linewidth": 1.0,
    "lines.linewidth": 1.5,
    "lines.markersize": 6.0,
    "lines.markeredgewidth": 1.0,
    "patch.linewidth": 1.0,
    "xtick.major.width": 1.25,
    "ytick.major.width": 1.25,
    "xtick.minor.width": 1.0,
    "ytick.minor.width": 1.0,
    "xtick.major.size": 6.0,
    "ytick.major.size": 6.0,
    "xtick.minor.size": 4.0,
    "ytick.minor.size": 4.0,
}

SLIDE_SIZES = {"16:9": (13.333, 7.5), "4:3": (10.0, 7.5)}

# The slide size of the innermost active context(size=...), read by new_or_given_axes/panels.
_active_slide_size: contextvars.ContextVar = contextvars.ContextVar("rnnviz_slide_size", default=None)
# Whether figure_title/axes_title draw (context(titles=False): bare figures).
_titles_shown: contextvars.ContextVar = contextvars.ContextVar("rnnviz_titles_shown", default=True)


class PlottingContext(contextlib.ContextDecorator):
    """rcParams for one context, applied as a context manager or a decorator; made by :func:`context`.

    ``.rc`` holds the settings applied. On exit rcParams are restored exactly, also on an exception.
    One object may be entered again while active (nested, or a recursive decorated function).
    """

    def __init__(self, rc: dict, *, size=None, titles: bool = True, description: str = ""):
        self.rc = rc
        self.size = size
        self.titles = titles
        self._description = description
        self._entered = []  # (rc_context, slide-size token, titles token) per active entry

    def __enter__(self):
        ensure_shipped_fonts()
        rc_manager = mpl.rc_context(self.rc)
        rc_manager.__enter__()
        try:
            slide = SLIDE_SIZES[self.size] if self.size else _active_slide_size.get()
            self._entered.append((rc_manager, _active_slide_size.set(slide), _titles_shown.set(self.titles)))
        except BaseException:
            rc_manager.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info):
        rc_manager, size_token, titles_token = self._entered.pop()
        _titles_shown.reset(titles_token)
        _active_slide_size.reset(size_token)
        rc_manager.__exit__(*exc_info)
        return False

    def __repr__(self):
        return f"context({self._description})"


def context(name: str = "notebook", *, theme: str = "light", font_scale: float = 1.0, rc=None, size=None,
            titles: bool = True):
    """Scaled sizes, a theme and optionally a slide size, for a ``with`` block or as a decorator.

    name: "paper" (0.8), "notebook" (1.0), "slides" (1.5; alias "talk") or "poster" (2.0);
        scales fonts, line widths, marker sizes, tick sizes and widths, axes and grid line widths.
    theme: "light" or "dark" (see THEMES); palette colours are the same in both.
    font_scale: a further factor for fonts only.
    rc: rcParams applied last, overriding the above.
    size: None, or a name in SLIDE_SIZES ("16:9", "4:3"); sets figure.figsize, and new rnnviz
        figures (new_or_given_axes/panels) take that size instead of their own default.
    titles: False draws figures without their titles and subtitles (for slides titled by the slide).

    Example::

        with style.context("slides", theme="dark", size="16:9"):
            GradientDecayDisplay.from_cells(seed=0)
    """
    settings = context_rc(name, theme=theme, font_scale=font_scale, size=size)
    settings.update(_checked_rc(rc))
    if not isinstance(titles, bool):
        raise ValueError(f"titles: expected True or False, got {titles!r}")
    description = f"{name!r}, theme={theme!r}, font_scale={font_scale!r}, size={size!r}, titles={titles!r}"
    return PlottingContext(settings, size=size, titles=titles, description=description)


def context_rc(name: str = "notebook", *, theme: str = "light", font_scale: float = 1.0, size=None) -> dict:
    """The rcParams a :func:`context` applies (theme, then scaled sizes, then figure size); changes nothing.

    name, theme, font_scale, size: as for :func:`context`.
    """
    _checked("name", name, [*CONTEXT_SCALES, *_CONTEXT_ALIASES], what="context")
    if isinstance(font_scale, bool) or not isinstance(font_scale, numbers.Real) or not font_scale > 0:
        raise ValueError(f"font_scale: expected a number > 0, got {font_scale!r}")
    scale = CONTEXT_SCALES[_CONTEXT_ALIASES.get(name, name)]
    settings = dict(THEMES[_checked("theme", theme, THEMES)])
    settings.update({key: value * scale * font_scale for key, value in BASE_FONT_SIZES.items()})
    settings.update({key: value * scale for key, value in BASE_LINE_SIZES.items()})
    if size is not None:
        settings["figure.figsize"] = SLIDE_SIZES[_checked("size", size, SLIDE_SIZES, what="slide size")]
    return settings


def slide_size() -> tuple | None:
    """The (width, height) in inches of the innermost active ``context(size=...)``, or None."""
    return _active_slide_size.get()


def slide_name() -> str | None:
    """The name in SLIDE_SIZES ("16:9", "4:3") of the innermost active ``context(size=...)``, or None."""
    size = _active_slide_size.get()
    return next((name for name, inches in SLIDE_SIZES.items() if tuple(inches) == tuple(size)), None) if size else None


def _figure_size(default):
    return _active_slide_size.get() or default


def _checked(argument: str, value, choices, *, what: str = ""):
    """``value`` if it is one of ``choices``, else a ValueError naming the argument, the value and the choices."""
    if isinstance(value, str) and value in choices:
        return value
    raise ValueError(f"{argument}: unknown {what or argument} {value!r}; expected one of {list(choices)}")


def _checked_rc(rc) -> dict:
    """``rc`` as a dict, checking every key is an rcParam."""
    rc = dict(rc or {})
    unknown = sorted(key for key in rc if key not in mpl.rcParams)
    if unknown:
        raise ValueError(f"rc: unknown rcParams {unknown}; expected keys of matplotlib.rcParams")
    return rc
