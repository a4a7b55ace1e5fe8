"""``rnnviz.gradient_profile``: how the last state of a recurrent layer depends on every earlier step.

Backpropagation through time, done once for all steps: starting from the last
state, an adjoint (the derivative of the seeds with respect to the state) is
carried backwards one step at a time; at each step it *is* ``d h_T / d h_t``
for every t at once. The seeds are the ``units`` rows of the identity (so the
Frobenius norm of the whole Jacobian comes out, all rows in one vectorised
pass), or, for a loss, ``dL / d(output)`` injected where the layer's outputs
left it. Each step's vector-Jacobian product is taken by autodiff on the same
cell equations the recorder runs, on the recorded states.
"""

from __future__ import annotations

import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from rnnviz.errors import InputError, UnsupportedModelError
from rnnviz.profile import WRT_CHOICES, GradientProfile
from rnnviz.recording.kinds import equations_for
from rnnviz.recording.record import record
from rnnviz.recording.replay import stacked_cells, traced_replica
from rnnviz.recording.scan import XLA_FROM


def gradient_profile(model, x, layer=None, wrt="state", *, loss=None, y=None, mask=None, allow_nonfinite=False):
    """:func:`rnnviz.gradient_profile` for a Keras model (:mod:`rnnviz.recording.dispatch`; imports TensorFlow)."""
    if wrt not in WRT_CHOICES:
        raise InputError(f"wrt: expected one of {WRT_CHOICES}, got {wrt!r}")
    if (loss is None) != (y is None):
        raise InputError("loss and y: give both (a Keras loss and its targets) or neither")
    if loss is not None and not isinstance(model, keras.Sequential) and not getattr(model, "inputs", None):
        raise UnsupportedModelError(
            f"loss and y: {model.name!r} is a subclassed model, whose own call rnnviz can watch but not re-run "
            "with a layer's states held for the loss's gradient; build it as a Sequential or functional model, "
            "or ask for the state profile alone (no loss, no y)")
    trace = record(model, x, mask=mask, allow_nonfinite=allow_nonfinite)
    layer_trace = _choose(trace, layer)
    source = _traced_cell(model, layer_trace.name)
    equations = _equations(source.cell, layer_trace)

    norms = backpropagate(equations, source.cell, layer_trace, wrt=wrt)
    steps = layer_trace.steps
    steps_back = np.arange(steps)[::-1] if not layer_trace.go_backwards else np.arange(steps)
    loss_gradients = None
    if loss is not None:
        loss_fn = keras.losses.get(loss)
        injections = _loss_injections(model, x, mask, y, loss_fn, layer_trace, source)
        loss_gradients = backpropagate(equations, source.cell, layer_trace, injections=injections)
        loss_gradients = loss_gradients * layer_trace.mask[:, :, None]
    return GradientProfile(
        layer=layer_trace.name,
        kind=layer_trace.kind,
        wrt=wrt,
        norms=norms,
        mask=layer_trace.mask,
        steps_back=steps_back,
        loss_gradients=loss_gradients,
        loss_name="" if loss is None else getattr(loss_fn, "name", None) or getattr(loss_fn, "__name__", str(loss)),
    )


def memory_map(model, x, layer=None, *, mask=None):
    """``||d h_t / d x_s||_F`` for every pair of steps s <= t: how long an input is felt.

    Returns an array (batch, time t, time s), NaN where s > t (no dependence).
    For a layer that runs forwards only.
    """
    trace = record(model, x, mask=mask)
    layer_trace = _choose(trace, layer)
    if layer_trace.go_backwards:
        raise InputError(f"layer: {layer_trace.name!r} runs backwards; the memory map needs a forward layer")
    cell = _traced_cell(model, layer_trace.name).cell
    equations = _equations(cell, layer_trace)
    batch, steps = layer_trace.batch_size, layer_trace.steps
    result = np.full((batch, steps, steps), np.nan)
    for t in range(steps):
        result[:, t, : t + 1] = backpropagate(equations, cell, layer_trace, wrt="input", seed_step=t)[:, : t + 1]
    return result


def step_jacobians(model, x, layer=None, *, mask=None):
    """Every step's Jacobian ``d s_t / d s_{t-1}`` of one layer: the factors backpropagation through time multiplies.

    ``s`` is the layer's whole state: ``h``, and for the LSTM kinds ``(h, c)``
    stacked (``h`` first), so each matrix is (states x units) square, rows the
    new state, columns the state before (the initial state at the layer's first
    step). Taken by autodiff on the cell equations the recorder runs, on the
    recorded states. Returns (batch, time, n, n) in input time order; the
    identity at masked steps (the state is handed on unchanged).
    """
    trace = record(model, x, mask=mask)
    layer_trace = _choose(trace, layer)
    cell = _traced_cell(model, layer_trace.name).cell
    equations = _equations(cell, layer_trace)
    order, inputs, real, before = _in_processing_order(equations, layer_trace)
    weights = {name: tf.convert_to_tensor(variable) for name, variable in equations.weights(cell).items()}
    batch, steps = layer_trace.batch_size, layer_trace.steps
    rows = lambda t: tf.constant(np.reshape(t, (batch * steps, t.shape[-1])))  # noqa: E731
    previous = [rows(b) for b in before]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(previous)
        new, _ = equations.step(cell, equations.project(cell, rows(inputs), weights), tuple(previous), weights)
        new = tf.where(rows(real[..., None]), tf.concat(new, axis=-1), tf.concat(previous, axis=-1))
    blocks = [tape.batch_jacobian(new, p, unconnected_gradients=tf.UnconnectedGradients.ZERO) for p in previous]
    jacobians = np.concatenate([np.asarray(b) for b in blocks], axis=-1)
    return np.reshape(jacobians, (batch, steps, *jacobians.shape[1:]))[:, order]


def step_jacobian_norms(model, x, layer=None, *, ord="fro", mask=None):
    """``||d s_t / d s_{t-1}||`` for every step: (batch, time), in input time order (see :func:`step_jacobians`).

    ``ord``: ``"fro"`` (Frobenius, the norm of :func:`gradient_profile`) or ``2`` (the largest singular value).
    Both norms are submultiplicative, so ``||d h_T / d h_t||`` in the same norm is at most the
    product of these norms over the steps after t (the Frobenius one of :func:`gradient_profile` with ``"fro"``).
    """
    if ord not in ("fro", 2):
        raise InputError(f"ord: expected 'fro' or 2, got {ord!r}")
    return np.linalg.norm(step_jacobians(model, x, layer, mask=mask), ord=ord, axis=(-2, -1))


def _in_processing_order(equations, trace):
    """``(order, inputs, mask, states before each step)`` as NumPy arrays, in the order the layer ran."""
    order = slice(None, None, -1) if trace.go_backwards else slice(None)
    inputs = np.ascontiguousarray(trace.inputs[:, order])
    mask = np.ascontiguousarray(trace.mask[:, order])
    after = [trace.states[name][:, order] for name in equations.kind.states]
    before = [np.concatenate([trace.initial_states[name][:, None], states[:, :-1]], axis=1)
              for name, states in zip(equations.kind.states, after)]
    return order, inputs, mask, before


def backpropagate(equations, cell, trace, *, wrt="state", injections=None, seed_step=None):
    """Carry the adjoint from the last step back to the first.

    Without ``injections``: seeds are the identity on ``h`` at the last step (or
    at the step ``seed_step`` of the order the layer ran in), and the result is
    ``||d h_T / d h_t||_F`` (or ``/ d x_t``), (batch, time); zero after the seed step.
    The seeds (rows of the identity) are independent, so they are split between
    the CPU cores, each carrying its share of the adjoint in its own thread.
    With ``injections`` (per state name, (batch, time, units) in input time
    order, added to the adjoint of that state after each step): the result is
    the adjoint of ``h`` itself, (batch, time, units).
    """
    order, inputs, mask, before = _in_processing_order(equations, trace)
    inputs, mask, before = tf.constant(inputs), tf.constant(mask), [tf.constant(b) for b in before]
    names = equations.kind.states
    weights = {name: tf.convert_to_tensor(variable) for name, variable in equations.weights(cell).items()}
    batch, steps, units = trace.batch_size, trace.steps, trace.units
    loop = _adjoint_loop(equations, cell)

    if injections is not None:
        seeds = [tf.zeros((batch, 1, units)) for _ in names]
        nothing = np.zeros((batch, steps, units), np.float32)
        inject = [tf.constant(np.ascontiguousarray(injections.get(name, nothing)[:, order])) for name in names]
        result = loop(inputs, mask, before, weights, seeds, tf.constant(steps - 1), inject, False)
        return np.moveaxis(np.asarray(result)[:, :, 0], 0, 1)[:, order]  # (batch, time, units)

    seed_step = tf.constant(steps - 1 if seed_step is None else seed_step)
    identity = np.eye(units, dtype=np.float32)

    def squared_norms(rows):
        seeds = [tf.constant(np.broadcast_to(identity[rows], (batch, len(rows), units)))]
        seeds += [tf.zeros((batch, len(rows), units))] * (len(names) - 1)
        return np.asarray(loop(inputs, mask, before, weights, seeds, seed_step, None, wrt == "input"))

    shares = np.split(np.arange(units), _shares(units))
    if len(shares) == 1:
        squares = squared_norms(shares[0])
    else:
        with ThreadPoolExecutor(len(shares)) as pool:
            squares = sum(pool.map(squared_norms, shares))
    return np.sqrt(np.moveaxis(squares, 0, 1))[:, order]


def _shares(units, smallest=32):
    """Into how many equal shares to split ``units`` seeds: one per core, none under ``smallest`` seeds."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    for count in range(min(cores, units // smallest), 1, -1):
        if units % count == 0:
            return count
    return 1


# One compiled adjoint loop per cell, as the recorder keeps its loops (scan._compiled_loops);
# the equations follow from the cell's type, so the cell alone is the key.
_adjoint_loops: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _adjoint_loop(equations, cell):
    loop = _adjoint_loops.get(cell)
    if loop is None:
        # A weak reference, so the cache entry does not keep its own key alive.
        cell_ref = weakref.ref(cell)

        def run(inputs, mask, before, weights, seeds, seed_step, inject, wrt_input):
            """The loop over steps, last to first. The adjoint is (batch, seeds, units) per state.

            Writes per step: the squared norm summed over the seeds (batch,), or with
            ``inject``, the adjoint of ``h`` (batch, 1, units).
            """
            cell = cell_ref()
            steps = inputs.shape[1]
            written = tf.TensorArray(tf.float32, size=steps)
            if equations.separable(cell):
                diagonals = _step_diagonals(equations, cell, weights, inputs, before, mask)
                blocks = _gate_blocks(weights, cell.units)

                def step_products(k, adjoint):
                    at_k = [[d[:, k] for d in of_state] for of_state in diagonals]
                    return _assembled_products(adjoint, at_k, blocks, wrt_input)

            else:

                def step_products(k, adjoint):
                    previous = [b[:, k] for b in before]
                    return _autodiff_products(equations, cell, weights, inputs[:, k], previous, mask[:, k], adjoint)

            def body(k, written, adjoint):
                at_seed = tf.cast(tf.equal(k, seed_step), tf.float32)
                adjoint = [a + at_seed * seed for a, seed in zip(adjoint, seeds)]
                if inject is not None:
                    adjoint = [a + i[:, k, None] for a, i in zip(adjoint, inject)]
                *adjoint_before, adjoint_input = step_products(k, adjoint)
                if inject is not None:
                    value = adjoint[0]
                else:
                    of = adjoint_input if wrt_input else adjoint[0]
                    value = tf.reduce_sum(tf.square(of), axis=(1, 2))
                written = written.write(k, value)
                return k - 1, written, adjoint_before

            adjoint = [tf.zeros_like(seed) for seed in seeds]
            _, written, _ = tf.while_loop(lambda k, *_: k >= 0, body, (tf.constant(steps - 1), written, adjoint))
            return written.stack()

        compiled, plain = tf.function(run, jit_compile=True), tf.function(run)

        def loop(inputs, *args):
            # As the recorder does (scan.XLA_FROM): a tiny profile runs in less time than XLA takes to compile.
            return (plain if inputs.shape[0] * inputs.shape[1] < XLA_FROM else compiled)(inputs, *args)

        _adjoint_loops[cell] = loop
    return loop


def _step_diagonals(equations, cell, weights, inputs, before, mask):
    """Every step's unit-by-unit derivatives, for all steps in one pass (they need only the recorded states).

    The step mixes units only in ``h[t-1] U`` and ``x W``; all after that acts unit
    by unit, so its derivatives are diagonal and one gradient per new state gives
    them. Returns, per new state, ``[d/d(h U), d/d(x W), d/d(each previous state)]``,
    each (batch, time, width).
    """
    batch, steps = inputs.shape[0], inputs.shape[1]
    rows = lambda t: tf.reshape(t, (batch * steps, t.shape[-1]))  # noqa: E731
    previous = [rows(b) for b in before]
    recurrent = equations.recurrent_product(cell, previous[0], weights)
    projected = equations.project(cell, rows(inputs), weights)
    real = tf.reshape(mask, (batch * steps, 1))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([recurrent, projected, *previous])
        new, _ = equations.step_from_recurrent(cell, projected, recurrent, tuple(previous), weights)
        new = [tf.where(real, n, p) for n, p in zip(new, previous)]
    wrt = [recurrent, projected, *previous]
    zero = tf.UnconnectedGradients.ZERO
    return [
        [tf.reshape(d, (batch, steps, d.shape[-1])) for d in tape.gradient(n, wrt, unconnected_gradients=zero)]
        for n in new
    ]


def _gate_blocks(weights, units):
    """The kernels cut into one transposed block per gate: (gate, units, rows), made once per loop."""
    return {
        name: tf.transpose(tf.reshape(weights[name], (-1, weights[name].shape[-1] // units, units)), (1, 2, 0))
        for name in ("recurrent_kernel", "kernel")
    }


def _assembled_products(adjoint, diagonals, blocks, with_input):
    """One step's vector-Jacobian products for all seeds, through the step's Jacobian built explicitly.

    ``d new / d h[t-1]`` is the step's diagonals times the gate blocks of ``U``
    plus a direct, unit-by-unit path, so each step costs one product of the
    adjoint with it, instead of one product per gate.
    """
    gates = blocks["recurrent_kernel"].shape[0]

    def jacobian(diagonal, kernel_blocks):
        """Sum over gates of diag(diagonal[gate]) times the gate's block: (batch, units, rows)."""
        by_gate = tf.reshape(diagonal, (-1, gates, diagonal.shape[-1] // gates, 1))
        return sum(by_gate[:, gate] * kernel_blocks[gate] for gate in range(gates))

    direct = sum(a * d[2][:, None, :] for a, d in zip(adjoint, diagonals))
    if gates == 1 and len(adjoint) == 1:  # one gate, one state (SimpleRNN): scaling the adjoint is cheaper than J
        scaled = adjoint[0] * diagonals[0][0][:, None, :]
        through_kernel = tf.matmul(scaled, blocks["recurrent_kernel"][0])
    else:
        jacobians = [jacobian(d[0], blocks["recurrent_kernel"]) for d in diagonals]
        through_kernel = tf.matmul(tf.concat(adjoint, axis=-1), tf.concat(jacobians, axis=1))
    products = [through_kernel + direct]
    for state in range(1, len(adjoint)):  # the other states (the LSTM's c) enter unit by unit
        products.append(sum(a * d[2 + state][:, None, :] for a, d in zip(adjoint, diagonals)))
    if with_input:
        input_jacobians = [jacobian(d[1], blocks["kernel"]) for d in diagonals]
        products.append(tf.matmul(tf.concat(adjoint, axis=-1), tf.concat(input_jacobians, axis=1)))
    else:
        products.append(None)
    return products


def _autodiff_products(equations, cell, weights, x_k, previous, real, adjoint):
    """One step's vector-Jacobian products for all seeds by autodiff, for cells that do not separate.

    The step runs once on the batch; the product is vectorised over the seeds
    (pfor), so only the products with the weights repeat per seed.
    """
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(previous)
        tape.watch(x_k)
        projected = equations.project(cell, x_k, weights)
        new, _ = equations.step(cell, projected, tuple(previous), weights)
        new = [tf.where(real[:, None], n, p) for n, p in zip(new, previous)]

    def vector_jacobian_product(cotangents):
        grads = tape.gradient(new, [*previous, x_k], output_gradients=list(cotangents))
        return [g if g is not None else tf.zeros_like(s) for g, s in zip(grads, [*previous, x_k])]

    by_seed = [tf.transpose(a, (1, 0, 2)) for a in adjoint]  # (seeds, batch, units)
    return [tf.transpose(g, (1, 0, 2)) for g in tf.vectorized_map(vector_jacobian_product, by_seed)]


def _equations(cell, layer_trace):
    """The equations of ``cell``, or an error for a cell of one's own (recorded, but with no equations to
    differentiate)."""
    equations = equations_for(cell)
    if equations is None:
        raise UnsupportedModelError(
            f"layer: {layer_trace.name!r} runs a cell of its own ({type(cell).__name__}), which rnnviz records "
            "through its call but has no equations for, so it cannot take its gradients; gradient_profile works on "
            "SimpleRNN, LSTM, GRU and PeepholeLSTM cells")
    return equations


def _choose(trace, layer):
    if layer is None:
        return trace.layers[0]
    if not isinstance(layer, str):
        raise InputError(f"layer: expected a layer name (str), got {type(layer).__name__}")
    return trace[layer]


@dataclass(frozen=True)
class _Source:
    """The Keras cell a trace came from, and how its layer hands the cell's ``h`` on."""

    cell: object
    return_sequences: bool
    zero_output_for_mask: bool


def _traced_cell(model, trace_name) -> _Source:
    """The cell of the trace ``trace_name``: a layer's (``"<name>"``), a direction's (``"<name>/backward"``) or one
    cell of a stacked layer (``"<name>/layer2"``), whose ``h`` goes up whole to the cell above but for the top's."""
    name, *parts = trace_name.split("#")[0].split("/")
    layer = _find(model, name)
    if equations_for(layer) is not None:  # a cell a subclassed model calls in a loop of its own: its calls' chain
        return _Source(layer, True, True)
    for part in parts:
        if part in ("forward", "backward"):
            layer = layer.forward_layer if part == "forward" else layer.backward_layer
    cells = stacked_cells(layer)
    if not cells:
        return _Source(layer.cell, layer.return_sequences, layer.zero_output_for_mask)
    position = int(parts[-1].removeprefix("layer"))
    top = position == len(cells)
    return _Source(cells[position - 1], layer.return_sequences or not top, layer.zero_output_for_mask or not top)


def _find(model, name):
    for layer in model.layers:
        if layer.name == name:
            return layer
        if isinstance(layer, keras.layers.TimeDistributed) and layer.layer.name == name:
            return layer.layer
        if isinstance(layer, keras.Model):
            inner = _find(layer, name)
            if inner is not None:
                return inner
    return None


def _loss_injections(model, x, mask, y, loss_fn, layer_trace, source):
    """``dL / d(output)`` of the chosen layer, as additions to the adjoint of each state after each step."""
    from rnnviz.recording.checks import check_inputs

    inputs = check_inputs(model, x)
    replica = traced_replica(model)
    with tf.GradientTape() as tape:
        replica.sink.watch_with(tape, layer_trace.name)
        _, output = replica.run(inputs if len(inputs) > 1 else inputs[0], **({} if mask is None else {"mask": mask}))
        first = output[0] if isinstance(output, (list, tuple)) else output
        if np.shape(y) != tuple(first.shape):
            raise InputError(f"y: expected targets shaped like the model's output {tuple(first.shape)}, got {np.shape(y)}")
        loss_value = loss_fn(tf.convert_to_tensor(y, dtype=first.dtype), first)
        # Loss functions (``"mse"``) give one value per sample; reduce like Keras's
        # Loss classes do by default: the mean over the batch.
        loss_value = tf.reduce_mean(loss_value)
    watched = replica.sink.watched
    replica.sink.watch_with(None, None)
    result, *final_states = watched
    grads = tape.gradient(loss_value, [result, *final_states])
    steps, units = layer_trace.steps, layer_trace.units
    mask = layer_trace.mask[:, ::-1] if layer_trace.go_backwards else layer_trace.mask
    seen = mask if source.zero_output_for_mask else np.logical_or.accumulate(mask, axis=1)
    h = np.zeros((layer_trace.batch_size, steps, units), np.float32)  # processing order
    if grads[0] is not None:
        output_grad = np.asarray(grads[0], dtype=np.float32)
        if source.return_sequences:
            h += output_grad * seen[:, :, None]
        else:
            h[:, -1] += output_grad * seen[:, -1:]
    injections = {"h": h}
    for name, grad in zip(layer_trace.state_names, grads[1:]):
        if grad is not None:
            injections.setdefault(name, np.zeros_like(h))[:, -1] += np.asarray(grad, dtype=np.float32)
    if layer_trace.go_backwards:  # back to input time order
        injections = {name: value[:, ::-1] for name, value in injections.items()}
    return injections
