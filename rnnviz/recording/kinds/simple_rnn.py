"""SimpleRNN: h[t] = activation(x[t] W + b + h[t-1] U)."""

import keras
from keras import ops

from rnnviz.kinds import CELL_KINDS
from rnnviz.recording.kinds.base import CellEquations


class SimpleRNNEquations(CellEquations):
    kind = CELL_KINDS["simple_rnn"]
    cell_types = (keras.layers.SimpleRNNCell,)

    def project(self, cell, x, w):
        xw = ops.matmul(x, w["kernel"])
        return xw + w["bias"] if "bias" in w else xw

    def step_from_recurrent(self, cell, x_projected, recurrent, states, w):
        pre_activation = x_projected + recurrent
        h = cell.activation(pre_activation) if cell.activation is not None else pre_activation
        return (h,), ()
