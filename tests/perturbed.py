"""dL/dh_t by autodiff through Keras's own cells: the brute-force reference for ``loss_gradients``.

The chosen recurrent layer is rebuilt around a cell that calls Keras's own cell
and then adds a perturbation ``delta[:, t]`` to the state ``h`` it returns at
step t. Every other layer of the model is the user's own layer. The loss's
gradient with respect to ``delta`` is then ``dL / d h_t`` through every path
the model has (later steps, later layers, states handed to a decoder), by
autodiff alone, sharing no code with rnnviz. At a masked step Keras discards
what the cell returned, so the gradient there is zero.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops


class PerturbedCell(keras.layers.Layer):
    """Keras's ``cell``, reading ``[x_t, delta_t]`` and returning ``h_t + delta_t``."""

    def __init__(self, cell, features):
        super().__init__()
        self.cell, self.features = cell, features
        self.state_size, self.output_size = cell.state_size, cell.output_size

    def call(self, inputs, states, training=False):
        x, delta = inputs[:, : self.features], inputs[:, self.features :]
        output, new_states = self.cell(x, states, training=training)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        new_states[0] = new_states[0] + delta
        return output + delta, new_states


def _perturbed_rnn(layer, delta):
    """A function running ``layer`` (a keras.layers.RNN) with ``delta`` (input time order) added to h."""
    features = layer.cell.kernel.shape[0]
    rnn = keras.layers.RNN(
        PerturbedCell(layer.cell, features),
        return_sequences=layer.return_sequences,
        return_state=layer.return_state,
        go_backwards=layer.go_backwards,
        zero_output_for_mask=layer.zero_output_for_mask,
    )

    def run(sequences, initial_state=None, mask=None):
        widened = ops.concatenate([ops.cast(sequences, "float32"), delta], axis=-1)
        return rnn(widened, initial_state=initial_state, mask=mask)

    return run


def _perturbed_bidirectional(layer, deltas):
    """A function running a Bidirectional ``layer`` with ``deltas["forward"/"backward"]`` added to h."""
    forward = _perturbed_rnn(layer.forward_layer, deltas["forward"])
    backward = _perturbed_rnn(layer.backward_layer, deltas["backward"])

    def run(sequences, initial_state=None, mask=None):
        half = None if initial_state is None else len(initial_state) // 2
        y, *forward_states = _as_list(forward(sequences, None if half is None else initial_state[:half], mask))
        y_rev, *backward_states = _as_list(backward(sequences, None if half is None else initial_state[half:], mask))
        if layer.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        merged = {
            "concat": lambda: ops.concatenate([y, y_rev], axis=-1),
            "sum": lambda: y + y_rev,
            "ave": lambda: (y + y_rev) / 2,
            "mul": lambda: y * y_rev,
            None: lambda: [y, y_rev],
        }[layer.merge_mode]()
        if not layer.return_state:
            return merged
        return [*(merged if layer.merge_mode is None else [merged]), *forward_states, *backward_states]

    return run


def _perturbed_time_distributed(layer, delta):
    """A function running TimeDistributed(``layer.layer``) with ``delta`` ((sample, slice) rows) added to h."""
    inner = _perturbed_rnn(layer.layer, delta)

    def run(inputs, mask=None):
        batch, slices = inputs.shape[0], inputs.shape[1]
        output = inner(ops.reshape(inputs, (batch * slices, *inputs.shape[2:])))
        return ops.reshape(output, (batch, slices, *output.shape[1:]))

    return run


def _as_list(result):
    return list(result) if isinstance(result, (list, tuple)) else [result]


class _Swapped(keras.layers.Layer):
    """Stands for one layer of a cloned model: ``run`` on concrete tensors, Keras's layer for shapes."""

    def __init__(self, original, run):
        super().__init__(name=original.name)
        self._original, self._run = (original,), run
        self.supports_masking = original.supports_masking
        self.built = True

    def compute_output_spec(self, *args, **kwargs):
        return self._original[0].compute_output_spec(*args, **kwargs)

    def compute_mask(self, inputs, previous_mask):
        return self._original[0].compute_mask(inputs, previous_mask)


class _SwappedRecurrent(_Swapped):
    """The chosen recurrent layer; Keras hands it the mask of its inputs."""

    def call(self, sequences, initial_state=None, mask=None, training=None):
        return self._run(sequences, initial_state=initial_state, mask=mask)


class _Borrowed(_Swapped):
    """Any other layer: the user's own, called as it is (masks travel with the tensors)."""

    def call(self, inputs, *args, **kwargs):
        return self._run(inputs, *args, **kwargs)


def autodiff_loss_gradients(model, x, trace, loss, y):
    """dL/dh_t, (batch, time, units) in input time order, for the layer (or direction) ``trace`` recorded.

    ``L`` is ``loss`` averaged over the batch, as ``gradient_profile`` defines it.
    """
    name, _, direction = trace.name.partition("/")
    batch, steps, units = trace.batch_size, trace.steps, trace.units
    deltas = {key: tf.Variable(tf.zeros((batch, steps, units))) for key in ("forward", "backward", "")}

    def swap(layer):
        if not isinstance(layer, keras.layers.Layer):
            return type(layer).from_config(layer.get_config())
        if isinstance(layer, keras.layers.TimeDistributed) and layer.layer.name == name:
            return _Borrowed(layer, _perturbed_time_distributed(layer, deltas[""]))
        if layer.name == name and isinstance(layer, keras.layers.Bidirectional):
            return _SwappedRecurrent(layer, _perturbed_bidirectional(layer, deltas))
        if layer.name == name:
            return _SwappedRecurrent(layer, _perturbed_rnn(layer, deltas[""]))
        return _Borrowed(layer, layer)

    clone = keras.models.clone_model(model, clone_function=swap, recursive=True)
    loss_fn = keras.losses.get(loss)
    with tf.GradientTape() as tape:
        output = clone(x if not isinstance(x, (list, tuple)) else list(x), training=False)
        output = output[0] if isinstance(output, (list, tuple)) else output
        value = tf.reduce_mean(loss_fn(tf.convert_to_tensor(y, output.dtype), output))
    return np.asarray(tape.gradient(value, deltas[direction]))
