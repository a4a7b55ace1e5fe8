"""Write figures to PNG, SVG and PDF: atomically, and with the same bytes for the same figure.

Determinism: SVG gets a per-file ``svg.hashsalt`` (from the file name) and no date;
PDF no creation or modification date; PNG no "Software" entry. What remains in
the files (matplotlib's version in Creator/Producer) changes only with matplotlib.
Figures are laid out by :func:`rnnviz.mpl.layout.constrained_layout`, which rounds
away the run-to-run noise of matplotlib's constrained layout.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

from rnnviz.files import write_atomically

FORMATS = ("png", "svg", "pdf")

# savefig metadata per format: drop every entry that would change from run to run.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}


def save_figure(figure, path, *, formats=None, dpi: int = 150) -> list[Path]:
    """Write ``figure`` atomically in one or more formats; returns the paths written.

    path: the file to write; its suffix picks the format when ``formats`` is None.
    formats: None, a format name, or names from FORMATS ("png", "svg", "pdf"); each is
        written to ``path.with_suffix("." + format)``.
    dpi: resolution of the PNG (and of images embedded in SVG/PDF).
    """
    path = Path(path)
    targets = [path.with_suffix(f".{fmt}") for fmt in _checked_formats(path, formats)]
    path.parent.mkdir(parents=True, exist_ok=True)
    for target in targets:
        _write_atomically(figure, target, dpi=dpi)
    return targets


def _checked_formats(path: Path, formats) -> list[str]:
    """The formats to write, lower-case and without repeats; ValueError for unknown ones."""
    if formats is None:
        suffix = path.suffix.lstrip(".").lower()
        if suffix not in FORMATS:
            raise ValueError(
                f"path: cannot tell the format of {str(path)!r} (suffix {path.suffix!r}); "
                f"expected a suffix in {['.' + fmt for fmt in FORMATS]}, or pass formats"
            )
        return [suffix]
    given = [formats] if isinstance(formats, str) else list(formats)
    wanted = list(dict.fromkeys(str(fmt).lstrip(".").lower() for fmt in given))
    unknown = [fmt for fmt in wanted if fmt not in FORMATS]
    if unknown:
        raise ValueError(f"formats: unsupported {unknown} in {formats!r}; expected some of {list(FORMATS)}")
    if not wanted:
        raise ValueError(f"formats: got no format ({formats!r}); expected some of {list(FORMATS)}")
    return wanted


def _write_atomically(figure, target: Path, *, dpi: int) -> None:
    fmt = target.suffix.lstrip(".")

    def write(temporary):
        with mpl.rc_context(_deterministic_rc(fmt, target.name)):
            figure.savefig(temporary, format=fmt, dpi=dpi, metadata=_METADATA[fmt])

    write_atomically(target, write)


def _deterministic_rc(fmt: str, file_name: str) -> dict:
    """rcParams that fix the bytes of ``fmt``: SVG ids salted by the file name, text as paths."""
    if fmt != "svg":
        return {}
    return {"svg.hashsalt": f"rnnviz:{file_name}", "svg.fonttype": "path"}
