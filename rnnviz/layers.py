"""Keras layers of rnnviz's own: the peephole LSTM that Keras 3 does not have.

Import this module (or touch ``rnnviz.layers``) before ``keras.models.load_model``
on a file that holds a :class:`PeepholeLSTM`, so Keras can find the classes.
"""

from __future__ import annotations

import keras
from keras import activations, initializers, ops

__all__ = ["PeepholeLSTM", "PeepholeLSTMCell"]


@keras.saving.register_keras_serializable(package="rnnviz")
class PeepholeLSTMCell(keras.layers.Layer):
    """An LSTM cell with peephole connections (Gers & Schmidhuber, 2000).

    The gates look at the cell state through diagonal (element-wise) weights:
    the input and forget gates at ``c[t-1]``, the output gate at the new ``c[t]``::

        i = recurrent_activation(x W_i + h[t-1] U_i + p_i * c[t-1] + b_i)
        f = recurrent_activation(x W_f + h[t-1] U_f + p_f * c[t-1] + b_f)
        g = activation(x W_c + h[t-1] U_c + b_c)
        c[t] = f * c[t-1] + i * g
        o = recurrent_activation(x W_o + h[t-1] U_o + p_o * c[t] + b_o)
        h[t] = o * activation(c[t])

    ``kernel``, ``recurrent_kernel`` and ``bias`` have Keras's LSTM layout (gate
    order i, f, c, o), so an LSTM's weights copy over unchanged; the peephole
    weights are ``input_peephole``, ``forget_peephole`` and ``output_peephole``,
    each of shape ``(units,)``. With them at zero the cell is Keras's LSTM cell.

    Parameters
    ----------
    units : int
        Size of the hidden and cell state.
    activation, recurrent_activation : str or callable
        As in ``keras.layers.LSTMCell`` (defaults ``"tanh"`` and ``"sigmoid"``).
    use_bias, unit_forget_bias : bool
        As in ``keras.layers.LSTMCell``.
    kernel_initializer, recurrent_initializer, bias_initializer, peephole_initializer
        Initializers for the four kinds of weight.
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        peephole_initializer="glorot_uniform",
        unit_forget_bias=True,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"units: expected a positive integer, got {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.unit_forget_bias = unit_forget_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.peephole_initializer = initializers.get(peephole_initializer)
        self.seed = seed
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(input_dim, 4 * self.units), name="kernel", initializer=self.kernel_initializer
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, 4 * self.units), name="recurrent_kernel", initializer=self.recurrent_initializer
        )
        if self.use_bias:
            self.bias = self.add_weight(shape=(4 * self.units,), name="bias", initializer=self._bias_initializer)
        else:
            self.bias = None
        for gate in ("input", "forget", "output"):
            setattr(
                self,
                f"{gate}_peephole",
                self.add_weight(shape=(self.units,), name=f"{gate}_peephole", initializer=self.peephole_initializer),
            )

    def _bias_initializer(self, shape, dtype=None):
        if not self.unit_forget_bias:
            return self.bias_initializer(shape, dtype=dtype)
        units = self.units
        return ops.concatenate(
            [
                self.bias_initializer((units,), dtype=dtype),
                ops.ones((units,), dtype=dtype),
                self.bias_initializer((2 * units,), dtype=dtype),
            ]
        )

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        z = ops.matmul(inputs, self.kernel)
        z = ops.add(z, ops.matmul(h_prev, self.recurrent_kernel))
        if self.use_bias:
            z = ops.add(z, self.bias)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i + self.input_peephole * c_prev)
        f = self.recurrent_activation(z_f + self.forget_peephole * c_prev)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o + self.output_peephole * c)
        h = o * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in self.state_size]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "peephole_initializer": initializers.serialize(self.peephole_initializer),
            "seed": self.seed,
        }


# PeepholeLSTMCell's arguments besides units, which PeepholeLSTM passes on to its cell.
_CELL_ARGUMENTS = (
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "peephole_initializer",
    "unit_forget_bias",
    "seed",
)


@keras.saving.register_keras_serializable(package="rnnviz")
class PeepholeLSTM(keras.layers.RNN):
    """A recurrent layer of :class:`PeepholeLSTMCell`, used like ``keras.layers.LSTM``.

    Takes ``units``, the cell's other arguments as keywords (``activation``,
    ``peephole_initializer``, ...; see :class:`PeepholeLSTMCell`), the usual RNN
    arguments (``return_sequences``, ``return_state``, ``go_backwards``,
    ``stateful``, ``unroll``) and Layer arguments (``name``, ``dtype``); it can be
    wrapped in ``Bidirectional``.
    """

    def __init__(
        self,
        units,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        **kwargs,
    ):
        cell_arguments = {key: kwargs.pop(key) for key in _CELL_ARGUMENTS if key in kwargs}
        cell = PeepholeLSTMCell(units, dtype=kwargs.get("dtype"), name="peephole_lstm_cell", **cell_arguments)
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            **kwargs,
        )
        self.input_spec = keras.layers.InputSpec(ndim=3)

    @property
    def units(self):
        return self.cell.units

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        return {**config, **{key: cell_config[key] for key in ("units", *_CELL_ARGUMENTS)}}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
