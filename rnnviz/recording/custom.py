"""Recording ``keras.layers.RNN`` around a cell of one's own (a SimpleRNN cell with layer normalisation inside, the
minimal cells of Keras's tests): through the cell's own ``call``, so exact whatever it computes.

rnnviz knows no equations for such a cell, so it has no gates to show; what it records is what the cell hands on at
every step: its output ``h`` and every state it carries. Keras's own loop runs the layer, around a wrapper of the
cell that outputs, at each step, the cell's output and new states side by side; the trace splits them (kind
:data:`rnnviz.kinds.CUSTOM_KIND`).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from rnnviz.errors import UnsupportedModelError
from rnnviz.kinds import CUSTOM_KIND
from rnnviz.trace import LayerTrace


def state_sizes(cell) -> list:
    """The sizes of the states ``cell`` carries, flattened, or an :class:`UnsupportedModelError` if one is not a
    vector per sample."""
    sizes = list(cell.state_size) if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    if not all(isinstance(size, (int, np.integer)) for size in sizes):
        raise UnsupportedModelError(
            f"model: the cell {cell.name!r} ({type(cell).__name__}) carries states of size {cell.state_size}; rnnviz "
            "records cells of one's own whose states are vectors (state_size an int or a list of ints)")
    return [int(size) for size in sizes]


def output_size(cell) -> int:
    """What ``cell`` outputs per step, as Keras reads it: its ``output_size``, else its first state's size."""
    size = getattr(cell, "output_size", None)
    return int(size) if size is not None else state_sizes(cell)[0]


class _HandingOn(keras.layers.Layer):
    """The user's cell, outputting at each step its output and its new states, concatenated."""

    def __init__(self, cell):
        super().__init__(dtype="float32")
        self._cell = (cell,)  # a tuple: not tracked as ours
        self.state_size = cell.state_size
        self.output_size = output_size(cell) + sum(state_sizes(cell))

    def call(self, inputs, states, training=False):
        output, new_states = self._cell[0](inputs, states, training=training)
        flat = keras.tree.flatten(new_states)
        return ops.concatenate([ops.cast(part, "float32") for part in (output, *flat)], axis=-1), new_states


def record_custom_rnn(layer, sequences, initial_state, mask, *, name, config):
    """Trace ``layer`` (keras.layers.RNN around a cell of one's own) on concrete inputs; return
    ``(LayerTrace, [output, *final states])`` as the Keras layer returns them."""
    from rnnviz.recording.replay import rnn_result

    if initial_state is None and layer.stateful and layer.states is not None:
        initial_state = layer.states
    trace, final_states = record_custom_cell(layer.cell, sequences, initial_state, mask, name=name, config=config,
                                             go_backwards=layer.go_backwards)
    return trace, rnn_result(layer, trace, final_states)


def record_custom_cell(cell, sequences, initial_state, mask, *, name, config, go_backwards=False):
    """Trace a cell of one's own run over ``sequences`` (batch, time, features; input time order) from
    ``initial_state`` (None: the cell's own, else zeros), as a keras.layers.RNN or a StackedRNNCells runs it;
    return ``(LayerTrace, final states as Keras hands them on)``."""
    sizes, units = state_sizes(cell), output_size(cell)
    sequences = ops.convert_to_tensor(sequences, dtype="float32")
    batch, steps = int(sequences.shape[0]), int(sequences.shape[1])
    if initial_state is None:
        initial_state = _initial_state(cell, batch, sizes)
    runner = keras.layers.RNN(_HandingOn(cell), return_sequences=True, return_state=True,
                              go_backwards=go_backwards, zero_output_for_mask=True)
    handed, *final_states = runner(sequences, initial_state=initial_state, mask=mask, training=False)
    handed = np.asarray(handed)
    if go_backwards:
        handed = handed[:, ::-1]
    real = np.ones((batch, steps), bool) if mask is None else ops.convert_to_numpy(mask).astype(bool).reshape(
        batch, steps)
    starts = [np.asarray(state, np.float32) for state in keras.tree.flatten(initial_state)]
    edges = np.cumsum([0, units, *sizes])
    parts = [_held_over(handed[..., a:b], real, start, go_backwards)
             for (a, b), start in zip(zip(edges[:-1], edges[1:]), [_h_start(starts, units, batch), *starts])]
    h, carried = parts[0], parts[1:]
    states = {"h": h}
    initial = {"h": _h_start(starts, units, batch)}
    for position, (state, start) in enumerate(zip(carried, starts), 1):
        if state.shape == h.shape and np.array_equal(state, h) and np.array_equal(start, initial["h"]):
            continue  # the state is the output itself: kept once, as h
        states[f"state{position}"], initial[f"state{position}"] = state, start
    trace = LayerTrace(
        name=name, kind=CUSTOM_KIND.name, units=units, inputs=np.asarray(sequences), states=states, gates={},
        mask=real, weights={variable.path: ops.convert_to_numpy(variable) for variable in cell.weights},
        config=config, initial_states=initial, go_backwards=bool(go_backwards),
    )
    return trace, final_states


def _initial_state(cell, batch, sizes) -> list:
    """The states ``cell`` starts from when given none, as keras.layers.RNN and StackedRNNCells start it: its own
    ``get_initial_state``, else zeros."""
    own = getattr(cell, "get_initial_state", None)
    if own is not None:
        states = own(batch_size=batch)
        return list(states) if keras.tree.is_nested(states) else [states]
    return [ops.zeros((batch, size), dtype="float32") for size in sizes]


def _h_start(starts, units, batch) -> np.ndarray:
    """The output before the first step, for the held-over steps: the first state if it is the output's size."""
    return starts[0] if starts and starts[0].shape == (batch, units) else np.zeros((batch, units), np.float32)


def _held_over(values, real, start, go_backwards) -> np.ndarray:
    """``values`` (batch, time, size; input time order) with each masked step holding the value of the step the
    layer took before it (``start`` before the first), as Keras carries states over padding."""
    if real.all():
        return np.ascontiguousarray(values, dtype=np.float32)
    values = np.array(values, dtype=np.float32)
    order = range(values.shape[1] - 1, -1, -1) if go_backwards else range(values.shape[1])
    held = np.array(start, np.float32)
    for t in order:
        values[:, t] = np.where(real[:, t, None], values[:, t], held)
        held = values[:, t]
    return values
