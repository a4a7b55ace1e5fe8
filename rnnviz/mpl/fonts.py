"""Matplotlib's own fonts, known to its font list before rnnviz draws.

rnnviz figures are set in the fonts matplotlib ships (DejaVu Sans, and for mathtext,
such as log-axis ticks, STIX and Computer Modern), so a figure comes out the same on
every machine. Matplotlib reads its font list from a cache file; a cache written while
an installation was half there can lack the shipped fonts, and matplotlib then falls
back to whatever the system has, with a "findfont: Font family ... not found" warning
per font in every new process. :func:`ensure_shipped_fonts` rebuilds such a list, as
matplotlib itself does when a cached font file has gone missing.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

_log = logging.getLogger(__name__)
_checked = False


def shipped_fonts() -> list[Path]:
    """The TrueType files matplotlib ships (in its mpl-data directory)."""
    return sorted(Path(mpl.get_data_path(), "fonts", "ttf").glob("*.ttf"))


def missing_shipped_fonts(manager=None) -> list[Path]:
    """The shipped font files that ``manager``'s font list (default: matplotlib's) does not hold."""
    manager = manager or font_manager.fontManager
    listed = {Path(font.fname).resolve() for font in manager.ttflist}
    return [path for path in shipped_fonts() if path.resolve() not in listed]


def ensure_shipped_fonts() -> None:
    """Rebuild matplotlib's font list (and its cache file) if it lacks a font matplotlib ships; once per process."""
    global _checked
    if _checked:
        return
    _checked = True
    missing = missing_shipped_fonts()
    if not missing:
        return
    _log.info("matplotlib's font list lacks %d of its own fonts (e.g. %s): rebuilding it",
              len(missing), missing[0].name)
    manager, rebuilt = font_manager.fontManager, font_manager.FontManager()
    vars(manager).update(vars(rebuilt))  # in place: others hold a reference to this instance
    manager._findfont_cached.cache_clear()  # forget fonts looked up in the old list (as addfont does)
    font_manager.json_dump(manager, Path(mpl.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json"))
