"""GRU (Cho et al. 2014), as keras.layers.GRUCell computes it, for both reset_after settings.

    z = recurrent_activation(x W_z + h U_z + b_z)          r alike
    reset_after=True:  g = activation(x W_h + b_h + r * (h U_h + b'_h))
    reset_after=False: g = activation(x W_h + b_h + (r * h) U_h)
    h[t] = z * h[t-1] + (1 - z) * g
"""

import keras
from keras import ops

from rnnviz.kinds import CELL_KINDS
from rnnviz.recording.kinds.base import CellEquations


class GRUEquations(CellEquations):
    kind = CELL_KINDS["gru"]
    cell_types = (keras.layers.GRUCell,)

    def project(self, cell, x, w):
        xw = ops.matmul(x, w["kernel"])
        if "bias" in w:
            xw = xw + (w["bias"][0] if cell.reset_after else w["bias"])
        return xw

    def step(self, cell, x_projected, states, w):
        (h_prev,) = states
        units = cell.units
        recurrent_kernel = w["recurrent_kernel"]
        x_zr, x_h = ops.split(x_projected, [2 * units], axis=-1)
        if cell.reset_after:
            inner = ops.matmul(h_prev, recurrent_kernel)
            if "bias" in w:
                inner = inner + w["bias"][1]
            recurrent_zr, recurrent_h = ops.split(inner, [2 * units], axis=-1)
        else:
            recurrent_zr = ops.matmul(h_prev, recurrent_kernel[:, : 2 * units])
        # The update and reset gates side by side: one add and one activation for both.
        z, r = ops.split(cell.recurrent_activation(x_zr + recurrent_zr), 2, axis=-1)
        if cell.reset_after:
            recurrent_h = r * recurrent_h
        else:
            recurrent_h = ops.matmul(r * h_prev, recurrent_kernel[:, 2 * units :])
        candidate = cell.activation(x_h + recurrent_h)
        h = z * h_prev + (1 - z) * candidate
        return (h,), (z, r, candidate)
