"""LSTM (Hochreiter & Schmidhuber 1997, with a forget gate), as keras.layers.LSTMCell computes it.

    i = recurrent_activation(x W_i + h U_i + b_i)      f, o alike
    g = activation(x W_c + h U_c + b_c)
    c[t] = f * c[t-1] + i * g;   h[t] = o * activation(c[t])
"""

import keras
import tensorflow as tf
from keras import ops

from rnnviz.kinds import CELL_KINDS
from rnnviz.recording.kinds.base import CellEquations


class LSTMEquations(CellEquations):
    kind = CELL_KINDS["lstm"]
    cell_types = (keras.layers.LSTMCell,)

    peepholes = None  # names of the c -> input, forget, output gate weights, if any

    def can_fuse(self, cell) -> bool:
        # TensorFlow's BlockLSTMV2 kernel computes exactly these equations (same
        # gate order i, f, c, o), with sigmoid gates and tanh for the rest.
        return cell.recurrent_activation is keras.activations.sigmoid and cell.activation is keras.activations.tanh

    def fused(self, cell, inputs, states, w):
        h_prev, c_prev = states
        units = cell.units
        bias = w["bias"] if "bias" in w else tf.zeros((4 * units,), inputs.dtype)
        no_peephole = tf.zeros((units,), inputs.dtype)
        peepholes = [w[name] for name in self.peepholes] if self.peepholes else [no_peephole] * 3
        i, c, f, o, g, _, h = tf.raw_ops.BlockLSTMV2(
            seq_len_max=tf.cast(tf.shape(inputs)[0], tf.int64),
            x=inputs,
            cs_prev=c_prev,
            h_prev=h_prev,
            w=tf.concat([w["kernel"], w["recurrent_kernel"]], axis=0),
            wci=peepholes[0],
            wcf=peepholes[1],
            wco=peepholes[2],
            b=bias,
            cell_clip=0.0,  # no clipping
            use_peephole=self.peepholes is not None,
        )
        return (h, c, i, f, g, o), (h[-1], c[-1])

    def project(self, cell, x, w):
        # The bias joins the input part here, once for all steps (Keras adds it at
        # every step; the sums differ only in float rounding, ~1e-7).
        xw = ops.matmul(x, w["kernel"])
        return xw + w["bias"] if "bias" in w else xw

    def step_from_recurrent(self, cell, x_projected, recurrent, states, w):
        _, c_prev = states
        z_i, z_f, z_c, z_o = ops.split(x_projected + recurrent, 4, axis=-1)
        i = cell.recurrent_activation(z_i)
        f = cell.recurrent_activation(z_f)
        g = cell.activation(z_c)
        o = cell.recurrent_activation(z_o)
        c = f * c_prev + i * g
        h = o * cell.activation(c)
        return (h, c), (i, f, g, o)
