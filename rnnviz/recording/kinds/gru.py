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

    def separable(self, cell) -> bool:
        # With reset_after=False the reset gate scales h[t-1] before its product with U_h.
        return cell.reset_after

    def step_from_recurrent(self, cell, x_projected, recurrent, states, w):
        """The reset_after=True step; ``recurrent`` is h[t-1] times the whole recurrent kernel."""
        if "bias" in w:
            recurrent = recurrent + w["bias"][1]
        recurrent_zr, recurrent_h = ops.split(recurrent, [2 * cell.units], axis=-1)
        return self._finish(cell, x_projected, recurrent_zr, lambda r: r * recurrent_h, states)

    def step(self, cell, x_projected, states, w):
        if cell.reset_after:
            return super().step(cell, x_projected, states, w)
        (h_prev,) = states
        recurrent_kernel = w["recurrent_kernel"]
        units = cell.units
        recurrent_zr = ops.matmul(h_prev, recurrent_kernel[:, : 2 * units])
        return self._finish(
            cell, x_projected, recurrent_zr, lambda r: ops.matmul(r * h_prev, recurrent_kernel[:, 2 * units :]), states
        )

    def _finish(self, cell, x_projected, recurrent_zr, reset_recurrent_h, states):
        (h_prev,) = states
        x_zr, x_h = ops.split(x_projected, [2 * cell.units], axis=-1)
        # The update and reset gates side by side: one add and one activation for both.
        z, r = ops.split(cell.recurrent_activation(x_zr + recurrent_zr), 2, axis=-1)
        candidate = cell.activation(x_h + reset_recurrent_h(r))
        h = z * h_prev + (1 - z) * candidate
        return (h,), (z, r, candidate)
