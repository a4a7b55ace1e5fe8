"""The package list in pyproject.toml names every package, so a normal (non-editable) install has them all."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.findall(r'"(rnnviz[\w.]*)"', re.search(r"packages = \[(.*?)\]", text, re.S).group(1)))
    found = {
        ".".join(("rnnviz", *init.parent.relative_to(ROOT / "rnnviz").parts))
        for init in (ROOT / "rnnviz").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    found |= {f"rnnviz.{folder}" for folder in ("scenes", "widgets")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
