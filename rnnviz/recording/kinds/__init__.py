"""The cell kinds the recorder can trace, one module each; :func:`equations_for` picks one."""

from __future__ import annotations

from rnnviz.recording.kinds.gru import GRUEquations
from rnnviz.recording.kinds.lstm import LSTMEquations
from rnnviz.recording.kinds.peephole_lstm import PeepholeLSTMEquations
from rnnviz.recording.kinds.simple_rnn import SimpleRNNEquations

EQUATIONS = (SimpleRNNEquations(), LSTMEquations(), PeepholeLSTMEquations(), GRUEquations())


def equations_for(cell):
    """The equations of ``cell``'s kind, or None when rnnviz cannot trace it."""
    for equations in EQUATIONS:
        if equations.matches(cell):
            return equations
    return None
