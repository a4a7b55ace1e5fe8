"""Peephole LSTM (Gers & Schmidhuber 2000), as rnnviz.layers.PeepholeLSTMCell computes it.

The input and forget gates also see c[t-1], the output gate sees c[t], through
diagonal peephole weights p_i, p_f, p_o.
"""

from keras import ops

from rnnviz.kinds import CELL_KINDS
from rnnviz.layers import PeepholeLSTMCell
from rnnviz.recording.kinds.lstm import LSTMEquations


class PeepholeLSTMEquations(LSTMEquations):
    kind = CELL_KINDS["peephole_lstm"]
    cell_types = (PeepholeLSTMCell,)
    peepholes = ("input_peephole", "forget_peephole", "output_peephole")

    def step_from_recurrent(self, cell, x_projected, recurrent, states, w):
        _, c_prev = states
        z_i, z_f, z_c, z_o = ops.split(x_projected + recurrent, 4, axis=-1)
        i = cell.recurrent_activation(z_i + w["input_peephole"] * c_prev)
        f = cell.recurrent_activation(z_f + w["forget_peephole"] * c_prev)
        g = cell.activation(z_c)
        c = f * c_prev + i * g
        o = cell.recurrent_activation(z_o + w["output_peephole"] * c)
        h = o * cell.activation(c)
        return (h, c), (i, f, g, o)
