"""LSTM (Hochreiter & Schmidhuber 1997, with a forget gate), as keras.layers.LSTMCell computes it.

    i = recurrent_activation(x W_i + h U_i + b_i)      f, o alike
    g = activation(x W_c + h U_c + b_c)
    c[t] = f * c[t-1] + i * g;   h[t] = o * activation(c[t])
"""

import keras
from keras import ops

from rnnviz.kinds import CELL_KINDS
from rnnviz.recording.kinds.base import CellEquations


class LSTMEquations(CellEquations):
    kind = CELL_KINDS["lstm"]
    cell_types = (keras.layers.LSTMCell,)

    def project(self, cell, x, w):
        # The bias joins the input part here, once for all steps (Keras adds it at
        # every step; the sums differ only in float rounding, ~1e-7).
        xw = ops.matmul(x, w["kernel"])
        return xw + w["bias"] if "bias" in w else xw

    def pre_activations(self, cell, x_projected, h_prev, w):
        return x_projected + ops.matmul(h_prev, w["recurrent_kernel"])

    def step(self, cell, x_projected, states, w):
        h_prev, c_prev = states
        z = self.pre_activations(cell, x_projected, h_prev, w)
        # One recurrent_activation over all four blocks is fewer ops per step than
        # three; the candidate's block of it is unused.
        i, f, _, o = ops.split(cell.recurrent_activation(z), 4, axis=-1)
        g = cell.activation(z[:, 2 * cell.units : 3 * cell.units])
        c = f * c_prev + i * g
        h = o * cell.activation(c)
        return (h, c), (i, f, g, o)
