"""Recording a subclassed Keras model whose own ``call`` runs its recurrent layers and cells (TensorFlow's
time-series tutorial's autoregressive ``FeedBack``: an ``RNN(LSTMCell)`` warms up on the input, then the same
``LSTMCell`` runs step by step on its own predictions).

rnnviz cannot read such a model's graph, so it watches one forward pass of the model, unchanged: for the pass,
each recurrent layer's and cell's ``call`` is wrapped (on the instance; removed afterwards, also when the pass
fails). A recurrent layer's call is also recorded as :func:`rnnviz.record` records it in a graph model, and what
the recording returns must equal what the layer returned. A cell's calls made by the model itself (not those the
recurrent layers make inside) are kept in order; the calls of one cell that each start from the states the call
before returned form one chain, a trace whose steps are the calls, whose states must equal what each call
returned (otherwise :class:`UnsupportedModelError`, never a silently different trace).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from rnnviz.diagrams.architecture import Stage, input_stage, numbered, split_direction
from rnnviz.errors import InputError, UnsupportedModelError
from rnnviz.recording.checks import as_array, as_numbers
from rnnviz.recording.kinds import equations_for
from rnnviz.recording.replay import TraceSink, cell_trace, check_supported, json_ready, recording_stand_in
from rnnviz.recording.scan import scan_cell
from rnnviz.trace import LayerTrace

TOLERANCE = 1e-5  # absolute, and relative to the value Keras computed


@dataclass
class CellCall:
    """One call of a cell made by the model's own code: ``cell(x, states) -> (output, new states)``."""

    index: int  # its place among the traces and cell calls of the pass
    cell: object
    x: np.ndarray
    states: list
    new_states: list


def recurrent_parts(model) -> tuple:
    """``(recurrent layers, cells)`` of ``model``: its RNN and Bidirectional layers (not those inside a
    Bidirectional) and every cell rnnviz has equations for, wherever they sit."""
    layers = [layer for layer in model._flatten_layers(include_self=False)
              if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]
    inner = {id(part) for layer in layers if isinstance(layer, keras.layers.Bidirectional)
             for part in (layer.forward_layer, layer.backward_layer)}
    cells = [layer for layer in model._flatten_layers(include_self=False) if equations_for(layer) is not None]
    return [layer for layer in layers if id(layer) not in inner], cells


def record_calls(model, x, *, allow_nonfinite=False) -> tuple:
    """Run the subclassed ``model`` once on ``x``; return ``(traces in the order they began, inputs, output)``."""
    layers, cells = recurrent_parts(model)
    if not layers and not cells:
        raise UnsupportedModelError(
            f"model: {model.name!r} (class {type(model).__name__}) has no recurrent layer or cell rnnviz can "
            "record; expected a SimpleRNN, LSTM, GRU, PeepholeLSTM, RNN or Bidirectional layer, or one of their "
            "cells called by the model's call"
        )
    for layer in layers:
        check_supported(layer)
    inputs = _arrays(x, allow_nonfinite)
    watch = _Watch()
    originals = [(part, part.__dict__.get("call")) for part in (*layers, *cells)]
    for layer in layers:
        layer.call = watch.layer_call(layer)
    for cell in cells:
        cell.call = watch.cell_call(cell)
    try:
        output = model(inputs if len(inputs) > 1 else inputs[0], training=False)
    except UnsupportedModelError:
        raise
    except Exception as exc:
        shapes = ", ".join(f"shape {array.shape}" for array in inputs)
        raise InputError(f"x: the {type(model).__name__} model rejected the input ({shapes}): "
                         f"{type(exc).__name__}: {exc}") from exc
    finally:
        for part, original in originals:
            if original is None:
                part.__dict__.pop("call", None)
            else:
                part.call = original
    if not watch.events:
        raise UnsupportedModelError(f"model: the call of {type(model).__name__} ran none of its recurrent layers "
                                    "or cells, so there is nothing to record")
    return _in_order(watch.events), inputs, output


class _Watch:
    """What the wrapped calls saw: traces of the recurrent layers' calls and the cells' own calls, in order."""

    def __init__(self):
        self.sink = TraceSink()
        self.events = []  # (index, [LayerTrace]) or CellCall
        self._inside = 0  # > 0 while a recurrent layer runs: its cell's calls are its own

    def layer_call(self, layer):
        original = layer.call
        stand_in = recording_stand_in(layer, self.sink)

        def call(*args, **kwargs):
            if _symbolic(args[0]):  # Keras building the model first: nothing runs
                return original(*args, **kwargs)
            self._inside += 1
            try:
                expected = original(*args, **kwargs)
            finally:
                self._inside -= 1
            first = len(self.sink.traces)
            recorded = stand_in.call(*args, **kwargs)
            _check_close(layer, "what it returned", recorded, expected)
            self.events.append((len(self.events), self.sink.traces[first:]))
            return expected

        return call

    def cell_call(self, cell):
        original = cell.call

        def call(inputs, states, *args, **kwargs):
            result = original(inputs, states, *args, **kwargs)
            if not self._inside and not _symbolic(inputs):
                self.events.append(CellCall(len(self.events), cell, _numpy(inputs), _numpies(states),
                                            _numpies(result[1])))
            return result

        return call


def _in_order(events) -> list:
    """Every trace, in the order it began: a layer call's traces, and each chain of a cell's own calls."""
    ordered, chains, names = [], {}, {}
    for event in events:
        if isinstance(event, CellCall):
            chain = chains.get(id(event.cell))
            if chain is None or not _continues(chain[-1], event):
                chain = chains[id(event.cell)] = []
                ordered.append((event.index, chain))
            chain.append(event)
        else:
            ordered.append(event)
    traces = []
    for _, item in sorted(ordered, key=lambda pair: pair[0]):
        if item and isinstance(item[0], CellCall):
            cell = item[0].cell
            count = names[cell.name] = names.get(cell.name, 0) + 1
            traces.append(_chain_trace(item, numbered(cell.name, count)))
        else:
            traces.extend(item)
    return traces


def architecture(traces: list, x: np.ndarray) -> list:
    """The diagram's stages for ``traces`` of a subclassed model run on ``x`` (as dicts), from what can be seen:
    a layer reads the model's input or an earlier layer's states ``h`` when its input equals them, else an input
    of its own (computed in the model's call); it starts from an earlier layer's final states when its initial
    states equal them (the FeedBack's cell loop, from its warm-up's)."""
    stages = [input_stage("input", x.shape)]
    seen = {}  # stage name -> its first trace
    for trace in traces:
        name, direction = split_direction(trace.name.split("#")[0])
        if name in seen:
            continue
        seen[name] = trace
        source = next((stage for stage, earlier in seen.items() if earlier is not trace
                       and earlier.config.get("return_sequences", True) and _same(earlier.states["h"], trace.inputs)),
                      "input" if _same(x, trace.inputs) else None)
        if source is None:
            source = f"input of {name}"
            stages.append(input_stage(source, trace.inputs.shape))
        start = next((stage for stage, earlier in seen.items() if earlier is not trace and all(
            _same(earlier.states[key][:, 0 if earlier.go_backwards else -1], trace.initial_states.get(key))
            for key in earlier.state_names)), "")
        stages.append(Stage(name=name, role="recurrent", class_name=trace.config.get("cell_class", trace.kind),
                            sources=(source,), state_source=start, kind=trace.kind, units=trace.units,
                            return_sequences=bool(trace.config.get("return_sequences", True)),
                            go_backwards=trace.go_backwards, bidirectional=bool(direction)))
    return [stage.to_dict() for stage in stages]


def _same(a, b) -> bool:
    return a is not None and b is not None and np.shape(a) == np.shape(b) and np.allclose(a, b, atol=TOLERANCE)


def _continues(previous: CellCall, call: CellCall) -> bool:
    """Whether ``call`` starts from the states ``previous`` returned."""
    return len(previous.new_states) == len(call.states) and all(
        before.shape == after.shape and np.array_equal(before, after)
        for before, after in zip(previous.new_states, call.states))


def _chain_trace(chain: list, name: str) -> LayerTrace:
    """The trace of a chain of one cell's calls: step k is the k-th call, checked against what each returned."""
    cell = chain[0].cell
    equations = equations_for(cell)
    x = np.stack([call.x for call in chain], axis=1)
    initial = chain[0].states
    per_step, _ = scan_cell(equations, cell, x, [ops.convert_to_tensor(state) for state in initial])
    for position, state in enumerate(equations.kind.states):
        returned = np.stack([call.new_states[position] for call in chain], axis=1)
        _check_close(cell, f"the {state} it returned", per_step[state], returned)
    config = {**cell.get_config(), "cell_class": type(cell).__name__, "return_sequences": True,
              "called_in_a_loop": True}
    return cell_trace(name, cell, x, per_step, initial, json_ready(config))


def _check_close(part, what, recorded, expected) -> None:
    for got, want in zip(keras.tree.flatten(recorded), keras.tree.flatten(expected)):
        got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
        if got.shape != want.shape or not np.allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE):
            raise UnsupportedModelError(
                f"model: the states rnnviz computed for {part.name!r} ({type(part).__name__}) differ from {what} "
                "in the model's call, so it cannot be recorded exactly (does the call change the cell's weights "
                "or states between steps?)"
            )


def _arrays(x, allow_nonfinite) -> list:
    values = list(x) if isinstance(x, (list, tuple)) else [x]
    arrays = []
    for index, value in enumerate(values):
        label = "x" if len(values) == 1 else f"x[{index}]"
        arrays.append(as_numbers(label, as_array(label, value), allow_nonfinite))
    return arrays


def _symbolic(value) -> bool:
    """Whether ``value`` is a placeholder (Keras working out shapes, or a compiled function being traced)."""
    return isinstance(value, keras.KerasTensor) or not tf.executing_eagerly()


def _numpy(value) -> np.ndarray:
    return np.array(ops.convert_to_numpy(value), dtype=np.float32)


def _numpies(states) -> list:
    return [_numpy(state) for state in keras.tree.flatten(states)]
