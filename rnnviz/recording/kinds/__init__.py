"""The cell kinds the recorder can trace, one module each (named in :data:`rnnviz.kinds.CELL_KINDS`); :func:`equations_for` picks one."""

from __future__ import annotations

from rnnviz.kinds import CELL_KINDS

EQUATIONS = tuple(kind.equations_class()() for kind in CELL_KINDS.values())


def equations_for(cell):
    """The equations of ``cell``'s kind, or None when rnnviz cannot trace it."""
    for equations in EQUATIONS:
        if equations.matches(cell):
            return equations
    return None
