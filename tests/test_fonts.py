"""Figures are set in matplotlib's own fonts, even when its font cache has lost them."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DRAW = """
import matplotlib.pyplot as plt
from rnnviz import style

with style.context("slides", size="16:9"):
    figure, ax = style.new_or_given_axes()
    ax.semilogy([1, 10, 100, 1000])  # log ticks are mathtext: STIX and Computer Modern fonts
    ax.set_title("h and c")
    figure.savefig(sys.argv[1], metadata={"Software": None})
"""


def draw(cache: Path, png: Path) -> str:
    """Draw a log-axis figure in a fresh interpreter with matplotlib's cache in ``cache``; its stderr."""
    done = subprocess.run([sys.executable, "-c", "import sys\n" + DRAW, str(png)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={"MPLBACKEND": "Agg", "MPLCONFIGDIR": str(cache), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def font_list(cache: Path) -> list:
    (path,) = cache.glob("fontlist-*.json")
    return json.loads(path.read_text())["ttflist"]


def test_a_font_cache_without_matplotlibs_own_fonts_is_rebuilt_and_the_figure_is_unchanged(tmp_path):
    cache = tmp_path / "cache"
    assert draw(cache, tmp_path / "fresh.png") == ""  # builds a sound cache
    # A cache written while matplotlib was half installed: its shipped fonts (stored
    # relative to mpl-data) are gone, only the system's are left. Plain matplotlib then
    # warns "findfont: Font family ['STIXGeneral'] not found" and draws log ticks in
    # another font, in every new process (this is how CI once failed).
    (path,) = cache.glob("fontlist-*.json")
    stale = json.loads(path.read_text())
    stale["ttflist"] = [font for font in stale["ttflist"] if Path(font["fname"]).is_absolute()]
    path.write_text(json.dumps(stale))
    plain = subprocess.run([sys.executable, "-c", "import matplotlib.pyplot as plt\n"
                            "plt.semilogy([1, 10]); plt.savefig('/dev/null', format='png')"],
                           capture_output=True, text=True, timeout=120,
                           env={"MPLBACKEND": "Agg", "MPLCONFIGDIR": str(cache), "PATH": "/usr/bin:/bin"})
    assert "findfont: Font family ['STIXGeneral'] not found" in plain.stderr  # the stale cache does what CI saw

    assert draw(cache, tmp_path / "repaired.png") == ""  # no findfont warnings
    assert (tmp_path / "repaired.png").read_bytes() == (tmp_path / "fresh.png").read_bytes()
    assert {font["name"] for font in font_list(cache)} >= {"STIXGeneral", "cmr10", "DejaVu Sans Display"}
