"""The recurrent cell kinds rnnviz knows: their state and gate names, as plain data.

Renderers read names from here without importing TensorFlow; the recording side
(:mod:`rnnviz.recording.kinds`) attaches the equations to the same names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CellKind:
    """What one kind of recurrent cell carries from step to step and which gates it has."""

    name: str
    title: str
    states: tuple[str, ...]
    gates: tuple[str, ...]


CELL_KINDS: dict[str, CellKind] = {
    kind.name: kind
    for kind in (
        CellKind("simple_rnn", "SimpleRNN", states=("h",), gates=()),
        CellKind("lstm", "LSTM", states=("h", "c"), gates=("input", "forget", "candidate", "output")),
        CellKind(
            "peephole_lstm",
            "Peephole LSTM",
            states=("h", "c"),
            gates=("input", "forget", "candidate", "output"),
        ),
        CellKind("gru", "GRU", states=("h",), gates=("update", "reset", "candidate")),
    )
}


def cell_kind(name: str) -> CellKind:
    """Return the :class:`CellKind` called ``name``, or raise a ValueError listing the known ones."""
    try:
        return CELL_KINDS[name]
    except KeyError:
        raise ValueError(f"kind: unknown cell kind {name!r}; expected one of {sorted(CELL_KINDS)}") from None
