"""Running one recurrent layer's equations over a sequence and keeping every step.

The input part of every step is one large matmul; the recurrent part runs in a
compiled ``tf.while_loop`` (or the cell's fused kernel) that writes each step's
states and gates. Long sequences are processed in chunks of steps written
straight into the final NumPy arrays, so recording needs little memory beyond
the arrays it returns.
"""

from __future__ import annotations

import logging
import weakref

import numpy as np
import tensorflow as tf

CHUNK_BYTES = 64 * 2**20  # largest block of steps the compiled loop returns at once

_compiled_loops: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class _OwnLoopsRetrace(logging.Filter):
    """Drops TensorFlow's warning that the recorder's loops were traced anew: each cell has loops of its own
    (:func:`_compiled_loop`), traced once per cell and input shape, so recording a few models in a row always
    "retraces". The same warning about any other function still shows."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("triggered tf.function retracing" in message and "run_and_arrange" in message)


tf.get_logger().addFilter(_OwnLoopsRetrace())


def scan_cell(equations, cell, inputs, initial_states, mask=None, go_backwards=False, want_sequence=False):
    """Run ``cell`` over ``inputs`` with ``equations``; return states and gates per step.

    Parameters
    ----------
    equations : CellEquations
    cell : keras layer
        The Keras cell whose weights and activations are used.
    inputs : tensor or ndarray, (batch, time, features)
    initial_states : sequence of tensors, (batch, units) each
    mask : ndarray of bool, (batch, time), optional
        False where the step is skipped and the state carried over.
    go_backwards : bool
        Consume the sequence from its last step to its first.
    want_sequence : bool
        Also return h at every step as a (batch, time, units) tensor in the
        order the cell ran, as the Keras layer outputs it (unmasked).

    Returns
    -------
    per_step : dict of ndarray, (batch, time, units)
        One array per state and gate name of ``equations.kind``, indexed by input
        time, whichever direction the cell ran in.
    sequence : tensor or None
        The h sequence in the order the cell ran, when ``want_sequence`` and the
        sequence was run in one piece; None otherwise (compose it from ``per_step``).
    """
    inputs = tf.convert_to_tensor(inputs, dtype=tf.float32)
    batch, steps = int(inputs.shape[0]), int(inputs.shape[1])
    units = int(cell.units)
    names = equations.kind.states + equations.kind.gates
    # Recording is not differentiated (gradient_profile carries its own adjoint):
    # stop_gradient keeps an enclosing GradientTape from recording the compiled loop.
    inputs = tf.stop_gradient(inputs)
    weights = {
        name: tf.stop_gradient(tf.convert_to_tensor(variable)) for name, variable in equations.weights(cell).items()
    }
    states = tuple(tf.stop_gradient(tf.convert_to_tensor(state, dtype=tf.float32)) for state in initial_states)
    if mask is not None and mask.all():
        mask = None  # nothing is masked: the same results, and the fused kernel may apply
    loop = _compiled_loop(equations, cell)
    fused = mask is None and equations.can_fuse(cell)

    chunk = int(max(1, min(steps, CHUNK_BYTES // max(1, batch * len(names) * units * 4))))
    if chunk == steps:
        # One piece: each array is a view of TensorFlow's buffer, no copy.
        written, _, sequence = loop(inputs, _as_tensor(mask), states, weights, go_backwards, fused, want_sequence)
        by_time = [_input_time_order(np.asarray(part), go_backwards) for part in written]
    else:
        sequence = None
        by_time = [np.empty((steps, batch, units), dtype=np.float32) for _ in names]
        for start in range(0, steps, chunk):
            stop = min(start + chunk, steps)
            # Chunk k of the processing order covers input times [first, last).
            first, last = (steps - stop, steps - start) if go_backwards else (start, stop)
            chunk_mask = None if mask is None else _as_tensor(mask[:, first:last])
            written, states, _ = loop(inputs[:, first:last], chunk_mask, states, weights, go_backwards, fused, False)
            for array, part in zip(by_time, written):
                array[first:last] = _input_time_order(np.asarray(part), go_backwards)
    per_step = {name: array.transpose(1, 0, 2) for name, array in zip(names, by_time)}
    return per_step, sequence


def _as_tensor(mask):
    return None if mask is None else tf.convert_to_tensor(mask, dtype=tf.bool)


def _input_time_order(part, go_backwards):
    """A (time, batch, units) block written in the order the cell ran, as a view in input time order."""
    return part[::-1] if go_backwards else part


XLA_FROM = 256  # batch x steps: a tiny recording (a scene's, a test's) runs in less time than XLA takes to compile


def _compiled_loop(equations, cell):
    """One compiled function per cell, reused across recordings (retraced per input shape).

    It runs the cell's fused TensorFlow kernel where the equations have one
    (``fused``: no mask, default activations), the generic step loop otherwise,
    compiled with XLA (about twice as fast here; results differ from the plain
    graph only in float rounding, ~1e-7) unless the recording is small (then the
    plain graph: compiling would take longer than the run). Both return one
    ``(time, batch, units)`` tensor per state and gate name in the order the
    cell ran, the final states, and (if asked for) the h sequence as
    ``(batch, time, units)``, else None.
    """
    loop = _compiled_loops.get(cell)
    if loop is None:
        # A weak reference, so the cache entry does not keep its own key alive.
        cell_ref = weakref.ref(cell)
        h_index = equations.kind.states.index("h")

        def with_sequence(run):
            def run_and_arrange(*args, want_sequence):
                written, states = run(*args)
                sequence = tf.transpose(written[h_index], [1, 0, 2]) if want_sequence else None
                return written, states, sequence

            return run_and_arrange

        @with_sequence
        def run_fused(inputs, states, weights, reverse):
            if reverse:
                inputs = tf.reverse(inputs, [1])
            return equations.fused(cell_ref(), tf.transpose(inputs, [1, 0, 2]), states, weights)

        @with_sequence
        def run_loop(inputs, mask, states, weights, reverse):
            return _while_loop(equations, cell_ref(), inputs, mask, states, weights, reverse)

        fused, stepped = tf.function(run_fused), tf.function(run_loop, jit_compile=True)
        stepped_small = tf.function(run_loop)

        def loop(inputs, mask, states, weights, reverse, use_fused, want_sequence):
            if use_fused:
                return fused(inputs, states, weights, reverse, want_sequence=want_sequence)
            small = inputs.shape[0] * inputs.shape[1] < XLA_FROM
            return (stepped_small if small else stepped)(
                inputs, mask, states, weights, reverse, want_sequence=want_sequence
            )

        _compiled_loops[cell] = loop
    return loop


def _while_loop(equations, cell, inputs, mask, states, weights, reverse):
    """Step through the sequence with ``equations.step``, writing states and gates in the order it runs."""
    projected = tf.transpose(equations.project(cell, inputs, weights), [1, 0, 2])
    if mask is not None:
        mask = tf.transpose(mask)[:, :, None]
    # A static step count (known whenever the chunk's shape is) makes a faster loop.
    steps = inputs.shape[1] if inputs.shape[1] is not None else tf.shape(projected)[0]
    names = equations.kind.states + equations.kind.gates
    written = tuple(tf.TensorArray(tf.float32, size=steps) for _ in names)

    def body(step, written, states):
        # Going backwards, step k consumes input time steps - 1 - k.
        t = steps - 1 - step if reverse else step
        new_states, gates = equations.step(cell, tf.gather(projected, t), states, weights)
        if mask is not None:
            new_states = tuple(tf.where(mask[t], new, old) for new, old in zip(new_states, states))
        written = tuple(array.write(step, part) for array, part in zip(written, (*new_states, *gates)))
        return step + 1, written, tuple(new_states)

    _, written, states = tf.while_loop(
        lambda step, *_: step < steps,
        body,
        (tf.constant(0), written, tuple(states)),
        parallel_iterations=32,
        maximum_iterations=steps,  # XLA needs the bound, also when a gradient tape is recording
    )
    return tuple(array.stack() for array in written), states
