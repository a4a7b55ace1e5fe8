"""The recurrent cell kinds rnnviz knows, one description each, as plain data.

Everything that differs from one kind to another is written here once: its states and
gates, what each gate means, the Keras layer and cell classes, the cell
diagram it is drawn with and the module of its equations. The recorder, the diagrams,
the palette, the figures, the scenes and the widgets all read it; nothing here imports
TensorFlow (:meth:`CellKind.layer_class` imports the Keras class when asked).

A new cell kind is one entry here, its equations (``rnnviz/recording/kinds/<name>.py``)
and, if none of the existing diagrams fits it, a diagram builder in
:mod:`rnnviz.diagrams.cells`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CellKind:
    """What one kind of recurrent cell carries from step to step, which gates it has and where its parts live.

    Parameters
    ----------
    name, title : str
        ``"lstm"`` and ``"LSTM"``: the kind's name in traces and as people write it.
    states, gates : tuple of str
        In the order the cell returns them (the recorder's and Keras's order).
    gate_meanings : dict of str to str
        What each gate's value says, for captions and panel titles.
    colour : str
        Only for a kind rnnviz does not colour itself: its hex colour (lines, curves, unrolled outlines).
        rnnviz's own kinds take theirs from :data:`rnnviz.palette.KIND_COLOURS`, the one place they are set.
    gate_colours : dict of str to str
        Only for gates rnnviz does not colour itself (a gate name none of its kinds has): gate -> hex colour.
        rnnviz's own gates take theirs from :data:`rnnviz.palette.GATE_COLOURS`.
    layer : str
        ``"module:Class"`` of its Keras layer; the cell class is the layer's name + ``"Cell"``.
    diagram : str
        The cell diagram it is drawn with (a builder in :mod:`rnnviz.diagrams.cells`).
    equations : str
        ``"module:Class"`` of its equations on the recording side.
    more_states : bool
        True for :data:`CUSTOM_KIND` only: a trace may hold states besides ``h``, of any size.
    """

    name: str
    title: str
    states: tuple[str, ...]
    gates: tuple[str, ...]
    gate_meanings: dict = field(default_factory=dict)
    colour: str = ""
    gate_colours: dict = field(default_factory=dict)
    layer: str = ""
    diagram: str = ""
    equations: str = ""
    more_states: bool = False

    @property
    def layer_name(self) -> str:
        """The Keras layer's class name (``"LSTM"``)."""
        return self.layer.rpartition(":")[2]

    @property
    def cell_name(self) -> str:
        """The Keras cell's class name (``"LSTMCell"``)."""
        return f"{self.layer_name}Cell"

    def layer_class(self):
        """The Keras layer class (imports Keras)."""
        return _resolve(self.layer)

    def equations_class(self):
        """The recorder's equations class for this kind (imports TensorFlow)."""
        return _resolve(self.equations)


def _resolve(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


_LSTM_MEANINGS = {
    "input": "how much of the candidate is written to c (0 = none, 1 = all)",
    "forget": "how much of the old cell state c is kept (0 = erase, 1 = keep)",
    "candidate": "the new content that could be written to c (tanh, −1 … 1)",
    "output": "how much of tanh(c) is shown as h (0 = hidden, 1 = shown)",
}

CELL_KINDS: dict[str, CellKind] = {
    kind.name: kind
    for kind in (
        CellKind("simple_rnn", "SimpleRNN", states=("h",), gates=(),
                 layer="keras.layers:SimpleRNN", diagram="simple_rnn",
                 equations="rnnviz.recording.kinds.simple_rnn:SimpleRNNEquations"),
        CellKind("lstm", "LSTM", states=("h", "c"), gates=("input", "forget", "candidate", "output"),
                 gate_meanings=_LSTM_MEANINGS, layer="keras.layers:LSTM", diagram="lstm",
                 equations="rnnviz.recording.kinds.lstm:LSTMEquations"),
        CellKind("peephole_lstm", "Peephole LSTM", states=("h", "c"), gates=("input", "forget", "candidate", "output"),
                 gate_meanings=_LSTM_MEANINGS, layer="rnnviz.layers:PeepholeLSTM",
                 diagram="peephole_lstm", equations="rnnviz.recording.kinds.peephole_lstm:PeepholeLSTMEquations"),
        CellKind("gru", "GRU", states=("h",), gates=("update", "reset", "candidate"),
                 gate_meanings={
                     # Keras: h = z·h_prev + (1 − z)·candidate
                     "update": "1 = keep the old state, 0 = take the candidate",
                     "reset": "how much of the old state feeds the candidate (0 = ignore it)",
                     "candidate": "the proposed new state (tanh, −1 … 1)",
                 },
                 layer="keras.layers:GRU", diagram="gru",
                 equations="rnnviz.recording.kinds.gru:GRUEquations"),
    )
}

CUSTOM_KIND = CellKind("custom", "custom cell", states=("h",), gates=(), colour="#8C7B6B", diagram="generic",
                       more_states=True)
"""A cell rnnviz has no equations for (``keras.layers.RNN`` around a cell of one's own), recorded through the
cell's own ``call``: ``h`` is what it outputs at each step, ``state1``, ``state2``, ... the states it carries (those
that are not ``h`` itself); no gates. Drawn as a box labelled with the cell's class. Not among :data:`CELL_KINDS`
(the kinds rnnviz knows the inside of)."""

STATE_MEANINGS = {
    "h": "hidden state h: what the layer outputs at each step",
    "c": "cell state c: the LSTM's memory, not squashed (its scale comes from the data)",
}


def cell_kind(name: str) -> CellKind:
    """Return the :class:`CellKind` called ``name``, or raise a ValueError listing the known ones."""
    if name == CUSTOM_KIND.name:
        return CUSTOM_KIND
    try:
        return CELL_KINDS[name]
    except KeyError:
        raise ValueError(f"kind: unknown cell kind {name!r}; expected one of {sorted(CELL_KINDS)} or "
                         f"{CUSTOM_KIND.name!r}") from None


def kind_of_class(class_name: str) -> str | None:
    """The kind whose Keras layer or cell is called ``class_name`` (``"LSTM"``, ``"GRUCell"``), or None."""
    for kind in CELL_KINDS.values():
        if class_name in (kind.layer_name, kind.cell_name):
            return kind.name
    return None
