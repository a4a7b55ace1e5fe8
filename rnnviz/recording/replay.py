"""Running a Keras model with its recurrent layers traced, leaving the model untouched.

:func:`traced_replica` builds, with ``keras.models.clone_model``, a replica of the
model whose layers *borrow* the user's layers: every non-recurrent layer is
called as it is (same object, same weights, Keras's own mask propagation), and
every recurrent layer is replaced by a recording stand-in that runs the cell's
equations on the layer's own weights, stores a :class:`LayerTrace`, and returns
exactly what the Keras layer would have returned. Nothing is added to the
user's layers: they are only ever called eagerly on concrete tensors.
"""

from __future__ import annotations

import copy
import json
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from rnnviz.diagrams.architecture import describe_model, numbered, stacked_name
from rnnviz.errors import UnsupportedModelError
from rnnviz.kinds import CELL_KINDS
from rnnviz.recording.custom import output_size, record_custom_cell, record_custom_rnn, state_sizes
from rnnviz.recording.kinds import EQUATIONS, equations_for
from rnnviz.recording.scan import scan_cell
from rnnviz.trace import LayerTrace


def recurrent_layers(model) -> list:
    """The recurrent layers of ``model`` (descending into nested models), in model order."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend(recurrent_layers(layer))
        elif is_recurrent(layer):
            found.append(layer)
    return found


def is_recurrent(layer) -> bool:
    """Whether ``layer`` runs a recurrent layer: an RNN, a Bidirectional, or a TimeDistributed around one."""
    if isinstance(layer, keras.layers.TimeDistributed):
        return is_recurrent(layer.layer)
    return isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional)) or hasattr(layer, "cell")


def stacked_cells(layer) -> list | None:
    """The cells of a keras.layers.RNN around ``StackedRNNCells`` (each traced as a layer of the stack), else None."""
    cell = getattr(layer, "cell", None)
    return list(cell.cells) if isinstance(cell, keras.layers.StackedRNNCells) else None


def traced_cells(sublayer) -> list:
    """The cells whose traces the keras.layers.RNN ``sublayer`` gives: its cell, or each cell of its stack."""
    return stacked_cells(sublayer) or [sublayer.cell]


def traced_sublayers(layer) -> list:
    """The keras.layers.RNN layers whose traces ``layer`` gives: both directions of a Bidirectional, ..."""
    if isinstance(layer, keras.layers.TimeDistributed):
        return traced_sublayers(layer.layer)
    if isinstance(layer, keras.layers.Bidirectional):
        return [layer.forward_layer, layer.backward_layer]
    return [layer]


def is_custom(sublayer) -> bool:
    """Whether ``sublayer`` is a keras.layers.RNN around a cell of one's own (recorded through its own call)."""
    cell = getattr(sublayer, "cell", None)
    return (type(sublayer) is keras.layers.RNN and equations_for(cell) is None
            and not isinstance(cell, keras.layers.StackedRNNCells))


def check_supported(layer) -> None:
    """Raise :class:`UnsupportedModelError` unless rnnviz can trace ``layer``."""
    for sublayer in traced_sublayers(layer):
        cells = traced_cells(sublayer) if isinstance(sublayer, keras.layers.RNN) else [None]
        if is_custom(sublayer) or stacked_cells(sublayer):
            for cell in cells:  # a cell of one's own is recorded through its call: an error unless its states
                if equations_for(cell) is None:  # are vectors
                    state_sizes(cell)
        elif any(equations_for(cell) is None for cell in cells):
            known = ", ".join(sorted({cls.__name__ for eq in EQUATIONS for cls in eq.cell_types}))
            raise UnsupportedModelError(
                f"model: layer {layer.name!r} ({type(layer).__name__}) cannot be recorded; rnnviz traces "
                f"recurrent layers built on the cells {known} ({', '.join(k.layer for k in CELL_KINDS.values())}, "
                "or keras.layers.RNN around one of those cells, a cell of one's own, or a StackedRNNCells of them), "
                "alone or inside Bidirectional or TimeDistributed"
            )
        if isinstance(layer, keras.layers.Bidirectional) and stacked_cells(sublayer):
            raise UnsupportedModelError(
                f"model: layer {layer.name!r} is a Bidirectional around StackedRNNCells, which rnnviz does not record "
                "yet; stack Bidirectional layers of one cell each instead (the same model as PyTorch's bidirectional "
                "stacks: each layer reads both directions of the layer below)"
            )
        if getattr(sublayer, "use_cudnn", "auto") is True and not _has_gpu():
            raise UnsupportedModelError(
                f"model: layer {layer.name!r} asks for use_cudnn=True, and there is no GPU here, so Keras itself "
                "cannot run it on this machine; set use_cudnn='auto' (the same equations, on any device)"
            )
    if isinstance(layer, keras.layers.TimeDistributed) and getattr(layer.layer, "return_state", False):
        raise UnsupportedModelError(f"model: layer {layer.name!r} wraps a recurrent layer with return_state=True")


def _has_gpu() -> bool:
    return bool(tf.config.list_physical_devices("GPU"))


class TraceSink:
    """Where the replica's recording layers put their traces, in the order they ran.

    Each trace is named as it is made: the layer's name (``"<name>/forward"``,
    ``"<name>/backward"`` for a direction), with ``#2``, ``#3``, ... for the
    second and later calls of a layer that the model calls more than once.

    For a loss gradient, a tape watches what one traced layer (or direction)
    hands on, its output and final states (``watch_with``, then ``watched``).
    While watching, every other recurrent layer runs as Keras's own layer, so
    the loss can be differentiated back through the rest of the model.
    """

    def __init__(self):
        self.traces = []
        self.watched = None
        self._calls = {}
        self._tape = self._watch_name = None

    def start(self) -> None:
        """Begin a new run of the replica."""
        self.traces, self._calls = [], {}

    def next_name(self, name: str) -> str:
        """The trace name for this call of the layer (or direction) ``name``."""
        count = self._calls[name] = self._calls.get(name, 0) + 1
        return numbered(name, count)

    def add(self, trace: LayerTrace) -> None:
        self.traces.append(trace)

    def watch_with(self, tape, name) -> None:
        self._tape, self._watch_name, self.watched = tape, name, None

    def passes_through(self, names: list) -> bool:
        """Whether a layer whose traces would be ``names`` is to run as Keras's own (a watch elsewhere)."""
        return self._tape is not None and self._watch_name not in names

    def watches(self, name: str) -> bool:
        """Whether the trace ``name``'s output and final states are to be watched."""
        return self._tape is not None and name == self._watch_name

    def hand_on(self, name: str, parts: list) -> list:
        """Note the output and final states ``parts`` of layer ``name``; watch them if asked to."""
        if self.watches(name):
            self._tape.watch(parts)
            self.watched = parts
        return parts


class TracedReplica:
    """A replica of a model whose recurrent layers record; built once per model and reused."""

    def __init__(self, model):
        self.sink = TraceSink()
        self.layer_ids = _layer_ids(model)
        self._lock = threading.Lock()

        def stand_in(layer):
            if not isinstance(layer, keras.layers.Layer):  # a bare op such as keras.ops.not_equal: stateless
                return type(layer).from_config(layer.get_config())
            if isinstance(layer, keras.layers.TimeDistributed) and is_recurrent(layer):
                return _RecordingTimeDistributed(layer, self.sink)
            if isinstance(layer, keras.layers.Bidirectional):
                return _RecordingBidirectional(layer, self.sink)
            if is_recurrent(layer):
                return _RecordingRNN(layer, self.sink)
            return _Borrowed(layer)

        self.model = keras.models.clone_model(model, clone_function=stand_in, recursive=True)
        self._model_ref = weakref.ref(model)
        self._architecture = None

    @property
    def architecture(self) -> list:
        """The model's ``describe_model`` stages as dicts: worked out once, a fresh copy each time."""
        if self._architecture is None:
            self._architecture = [stage.to_dict() for stage in describe_model(self._model_ref())]
        return copy.deepcopy(self._architecture)

    def run(self, inputs, **call_kwargs):
        """Call the replica eagerly on ``inputs``; return ``(layer traces, model output)``."""
        with self._lock:
            self.sink.start()
            output = self.model(inputs, training=False, **call_kwargs)
            return self.sink.traces, output


_replicas: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def traced_replica(model) -> TracedReplica:
    """The :class:`TracedReplica` of ``model``, rebuilt if the model's layers have changed."""
    replica = _replicas.get(model)
    if replica is None or replica.layer_ids != _layer_ids(model):
        replica = _replicas[model] = TracedReplica(model)
    return replica


def _layer_ids(model) -> tuple:
    return tuple(id(layer) for layer in model.layers)


class _StandIn(keras.layers.Layer):
    """A layer of the replica that stands for one of the user's layers."""

    def __init__(self, original, dtype=None):
        super().__init__(name=original.name, dtype=dtype or original.dtype_policy)
        # A one-element tuple keeps Keras from tracking the user's layer as ours.
        self._original = (original,)
        self.supports_masking = original.supports_masking
        self.built = True

    @property
    def original(self):
        return self._original[0]

    def compute_output_spec(self, *args, **kwargs):
        return self.original.compute_output_spec(*args, **kwargs)

    def compute_mask(self, inputs, previous_mask):
        return self.original.compute_mask(inputs, previous_mask)


class _Borrowed(_StandIn):
    """Calls the user's layer itself: Keras computes the values and the masks."""

    def call(self, inputs, *args, **kwargs):
        return self.original(inputs, *args, **kwargs)


class _Recording(_StandIn):
    """A stand-in that records in float32, whatever the layer's dtype policy.

    Under a mixed precision policy Keras computes the layer in float16; the
    recording runs the same equations in float32 on the layer's float32
    variables, so the two agree to float16 precision. What it hands on is cast
    to the layer's compute dtype, as Keras's output would be.
    """

    def __init__(self, original, sink):
        super().__init__(original, dtype="float32")
        self._sink = sink

    def hand_on(self, layer, name, result) -> list:
        """``result`` (``[output, *final states]`` of ``layer``) in its compute dtype; watched if asked."""
        return self._sink.hand_on(name, [ops.cast(part, layer.compute_dtype) for part in result])


class _RecordingRNN(_Recording):
    """Records a keras.layers.RNN (SimpleRNN, LSTM, GRU, PeepholeLSTM) and returns its output."""

    def call(self, sequences, initial_state=None, mask=None, training=None):
        name = self._sink.next_name(self.name)
        cells = stacked_cells(self.original) or ()
        if self._sink.passes_through([name, *(stacked_name(name, k) for k in range(1, len(cells) + 1))]):
            return self.original(sequences, initial_state=initial_state, mask=mask, training=False)
        if cells:
            traces, (output, *states) = record_stacked_rnn(self.original, sequences, initial_state, mask, name=name,
                                                           sink=self._sink)
            for trace in traces:
                self._sink.add(trace)
            cast = lambda part: ops.cast(part, self.original.compute_dtype)  # noqa: E731
            output, states = cast(output), keras.tree.map_structure(cast, states)
        else:
            trace, result = record_rnn(self.original, sequences, initial_state, mask, name=name)
            self._sink.add(trace)
            output, *states = self.hand_on(self.original, name, result)
        return [output, *states] if self.original.return_state else output


class _RecordingBidirectional(_Recording):
    """Records both directions of a Bidirectional layer and merges them as Keras does."""

    def call(self, sequences, initial_state=None, mask=None, training=None):
        layer = self.original
        names = [self._sink.next_name(f"{self.name}/{direction}") for direction in ("forward", "backward")]
        if self._sink.passes_through(names):
            return layer(sequences, initial_state=initial_state, mask=mask, training=False)
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        # The two directions are independent: they run at once, as in Keras's compiled call.
        backward = _threads().submit(record_rnn, layer.backward_layer, sequences, backward_state, mask, name=names[1])
        recorded = [record_rnn(layer.forward_layer, sequences, forward_state, mask, name=names[0]), backward.result()]
        results = []
        for name, sublayer, (trace, result) in zip(names, (layer.forward_layer, layer.backward_layer), recorded):
            self._sink.add(trace)
            results.append(self.hand_on(sublayer, name, result))

        (y, *forward_states), (y_rev, *backward_states) = results
        if layer.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        merge_mode = layer.merge_mode
        if merge_mode == "concat":
            output = ops.concatenate([y, y_rev], axis=-1)
        elif merge_mode == "sum":
            output = y + y_rev
        elif merge_mode == "ave":
            output = (y + y_rev) / 2
        elif merge_mode == "mul":
            output = y * y_rev
        elif merge_mode is None:
            output = [y, y_rev]
        else:
            raise UnsupportedModelError(f"model: layer {layer.name!r} has unknown merge_mode {merge_mode!r}")
        if not layer.return_state:
            return output
        outputs = output if merge_mode is None else [output]
        return [*outputs, *forward_states, *backward_states]


class _RecordingTimeDistributed(_Recording):
    """Records a recurrent layer inside TimeDistributed: every slice of every sample is one sequence.

    Keras runs the inner layer on each slice ``inputs[:, i]`` (e.g. each row of an
    image). The trace holds them all, sample by sample: its batch axis runs over
    (sample, slice) pairs, ``trace.sequences_per_sample`` slices per sample.
    """

    def __init__(self, original, sink):
        super().__init__(original, sink)
        inner = original.layer
        recording = _RecordingBidirectional if isinstance(inner, keras.layers.Bidirectional) else _RecordingRNN
        self._inner = (recording(inner, sink),)  # a tuple, so Keras does not track it as a sublayer

    def call(self, inputs, mask=None, training=None):
        batch, slices = int(inputs.shape[0]), int(inputs.shape[1])
        folded = ops.reshape(inputs, (batch * slices, *inputs.shape[2:]))
        if mask is not None:
            if len(mask.shape) != 3:
                raise UnsupportedModelError(
                    f"model: layer {self.name!r} receives a mask of shape {tuple(mask.shape)}; rnnviz records "
                    "a recurrent layer inside TimeDistributed with a mask of (batch, slices, time) only"
                )
            mask = ops.reshape(mask, (batch * slices, mask.shape[2]))
        first = len(self._sink.traces)
        output = self._inner[0].call(folded, mask=mask)
        for trace in self._sink.traces[first:]:
            trace.sequences_per_sample = slices
        return ops.reshape(output, (batch, slices, *output.shape[1:]))


_pool = None


def _threads() -> ThreadPoolExecutor:
    """The thread that records a Bidirectional layer's backward direction while the caller records the forward one.

    :func:`record_rnn` calls no Keras layer, only ops and compiled functions, so
    it needs none of the per-thread state Keras keeps during a model's call.
    """
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rnnviz-record")
    return _pool


def record_rnn(layer, sequences, initial_state, mask, *, name):
    """Trace one keras.layers.RNN on concrete inputs; return ``(LayerTrace, [output, *final states])``.

    The output and final states are what the Keras layer returns (as tensors).
    """
    if is_custom(layer):
        return record_custom_rnn(layer, sequences, initial_state, mask, name=name,
                                 config=_json_config(layer, layer.cell))
    if initial_state is None and layer.stateful and layer.states is not None:
        initial_state = list(layer.states)
    unmasked = mask is None or bool(ops.convert_to_numpy(ops.all(mask)))
    trace, final_states, sequence = _record_cell(
        layer, layer.cell, sequences, initial_state, mask, name=name,
        want_sequence=bool(layer.return_sequences) and unmasked,
    )
    return trace, rnn_result(layer, trace, final_states, sequence)


def record_stacked_rnn(layer, sequences, initial_state, mask, *, name, sink=None):
    """Trace a keras.layers.RNN around ``StackedRNNCells``, each cell as a layer of the stack
    (:func:`stacked_name`); return ``(LayerTraces, [output, *final states])`` as the Keras layer returns them.

    At each step Keras hands the output of cell k to cell k + 1, so cell k + 1 reads cell k's states ``h``, whole,
    as the layer above reads a stacked layer's sequence. At a masked step Keras keeps every cell's states; the
    gates the cells above compute there (discarded, as every masked step's) are taken on the held ``h`` below.

    When ``sink`` (a :class:`TraceSink`) watches one cell's trace, that cell hands on its ``h`` sequence and final
    states watched, and the cells above it run as Keras's own, so a loss can be differentiated back to them.
    """
    cells = stacked_cells(layer)
    if initial_state is None and layer.stateful and layer.states is not None:
        initial_state = layer.states
    starts = [None] * len(cells) if initial_state is None else list(initial_state)
    if len(starts) != len(cells):
        raise UnsupportedModelError(f"model: layer {layer.name!r} stacks {len(cells)} cells and was given initial "
                                    f"states for {len(starts)}; expected one entry per cell")
    traces, final_states, inputs = [], [], sequences
    for position, (cell, start) in enumerate(zip(cells, starts), 1):
        trace, states = _record_stacked_cell(layer, cell, inputs, start, mask, name=stacked_name(name, position),
                                             top=position == len(cells))
        traces.append(trace)
        # Keras hands a cell's states back as it was given them: a list, or a lone tensor.
        final_states.append(states if start is None or keras.tree.is_nested(start) or len(states) > 1 else states[0])
        inputs = trace.states["h"]
        if sink is not None and sink.watches(trace.name) and position < len(cells):
            h = trace.states["h"][:, ::-1] if layer.go_backwards else trace.states["h"]  # in the order it ran
            watched = sink.hand_on(trace.name, [ops.convert_to_tensor(np.ascontiguousarray(h)), *states])
            output, above = _keras_above(layer, position, watched[0], starts, mask)
            return traces, [output, *final_states[:-1], watched[1:], *above]
    output, *states = rnn_result(layer, traces[-1], final_states[-1])
    if sink is not None and sink.watches(traces[-1].name):
        output, *_ = sink.hand_on(traces[-1].name, [output, *states])
        final_states[-1] = sink.watched[1:]
    return traces, [output, *(final_states if len(cells) > 1 else final_states[0])]


def _record_stacked_cell(layer, cell, inputs, start, mask, *, name, top):
    """Trace one cell of ``layer``'s stack on ``inputs`` (what the cell below hands up); ``(LayerTrace, final
    states)``. A cell of one's own is recorded through its own call."""
    if equations_for(cell) is None:
        return record_custom_cell(cell, inputs, start, mask, name=name, config=_json_config(layer, cell, top),
                                  go_backwards=layer.go_backwards)
    trace, states, _ = _record_cell(layer, cell, inputs, start, mask, name=name, top=top)
    return trace, states


def _keras_above(layer, position, h, starts, mask):
    """Run the cells of ``layer``'s stack above ``position`` as Keras's own on ``h``, the ``h`` sequence of the
    cell at ``position`` in the order it ran: ``(the layer's output, the final states of the cells above)``."""
    cells = stacked_cells(layer)[position:]
    if mask is not None:
        mask = ops.flip(mask, axis=1) if layer.go_backwards else mask
    above = keras.layers.RNN(keras.layers.StackedRNNCells(cells) if len(cells) > 1 else cells[0],
                             return_sequences=layer.return_sequences, return_state=True,
                             zero_output_for_mask=layer.zero_output_for_mask)
    batch = int(h.shape[0])
    starts = [start if start is not None else cell.get_initial_state(batch_size=batch)
              for cell, start in zip(cells, starts[position:])]
    output, *states = above(h, initial_state=starts if len(cells) > 1 else starts[0], mask=mask, training=False)
    return output, states if len(cells) > 1 else [states]


def _record_cell(layer, cell, sequences, initial_state, mask, *, name, want_sequence=False, top=True):
    """Trace ``cell`` (``layer``'s, or one of its stack) on ``sequences`` from ``initial_state`` (None: zeros);
    return ``(LayerTrace, final states, the h sequence as the layer outputs it or None)``."""
    equations = equations_for(cell)
    sequences = ops.convert_to_tensor(sequences, dtype="float32")
    batch, steps = int(sequences.shape[0]), int(sequences.shape[1])
    if initial_state is None:
        initial_state = [ops.zeros((batch, cell.units), dtype="float32") for _ in equations.kind.states]
    elif not isinstance(initial_state, (list, tuple)):
        initial_state = [initial_state]
    initial_state = [ops.convert_to_tensor(state, dtype="float32") for state in initial_state]

    mask_array = None if mask is None else ops.convert_to_numpy(mask).astype(bool).reshape(batch, steps)
    per_step, sequence = scan_cell(
        equations, cell, sequences, initial_state, mask_array, layer.go_backwards, want_sequence=want_sequence,
    )

    last = 0 if layer.go_backwards else steps - 1  # input time of the last step taken
    final_states = [ops.convert_to_tensor(per_step[key][:, last]) for key in equations.kind.states]
    trace = cell_trace(name, cell, np.asarray(sequences), per_step, initial_state, _json_config(layer, cell, top),
                       mask=mask_array, go_backwards=bool(layer.go_backwards))
    return trace, final_states, sequence


def cell_trace(name, cell, inputs, per_step, initial_state, config, *, mask=None, go_backwards=False) -> LayerTrace:
    """The :class:`LayerTrace` of ``cell`` run on ``inputs`` (batch, time, features) from ``initial_state``:
    ``per_step`` as :func:`scan_cell` returns it, split into the kind's states and gates; ``mask`` None: no
    padding."""
    equations = equations_for(cell)
    return LayerTrace(
        name=name,
        kind=equations.kind.name,
        units=cell.units,
        inputs=inputs,
        states={key: per_step[key] for key in equations.kind.states},
        gates={key: per_step[key] for key in equations.kind.gates},
        mask=mask if mask is not None else np.ones(inputs.shape[:2], dtype=bool),
        weights={key: ops.convert_to_numpy(value) for key, value in equations.weights(cell).items()},
        config=config,
        initial_states={key: ops.convert_to_numpy(state) for key, state in zip(equations.kind.states, initial_state)},
        go_backwards=go_backwards,
    )


def rnn_result(layer, trace: LayerTrace, final_states, sequence=None) -> list:
    """``[output, *final states]`` of ``layer`` (a keras.layers.RNN) for ``trace``, composed as Keras does.

    The output sequence is in the order the layer ran (reversed for
    ``go_backwards``). At a masked step Keras outputs zeros when
    ``zero_output_for_mask`` is set, otherwise the previous step's output,
    which starts at zeros (not at the initial state). ``sequence``, if given,
    is that output already composed for an unmasked ``return_sequences`` layer.
    """
    if sequence is not None:
        return [sequence, *final_states]
    h, mask = trace.states["h"], trace.mask
    if layer.go_backwards:
        h, mask = h[:, ::-1], mask[:, ::-1]
    if not layer.return_sequences:
        h, mask = h[:, -1:], mask[:, -1:] if layer.zero_output_for_mask else mask.any(axis=1, keepdims=True)
    elif not layer.zero_output_for_mask:
        mask = np.logical_or.accumulate(mask, axis=1)
    if not mask.all():
        h = np.where(mask[:, :, None], h, np.float32(0))
    output = ops.convert_to_tensor(np.ascontiguousarray(h))
    if not layer.return_sequences:
        output = output[:, 0]
    return [output, *final_states]


def recording_stand_in(layer, sink: TraceSink):
    """The stand-in that records the recurrent ``layer`` (a Bidirectional, or a keras.layers.RNN) into ``sink``."""
    return (_RecordingBidirectional if isinstance(layer, keras.layers.Bidirectional) else _RecordingRNN)(layer, sink)


def json_ready(config: dict) -> dict:
    """``config`` as plain JSON values (what cannot be written, by its repr)."""
    return json.loads(json.dumps(config, default=repr))


def _json_config(layer, cell, top=True) -> dict:
    """``layer``'s config; for a keras.layers.RNN around a cell, the cell's settings (activations, ...) beside the
    layer's, as SimpleRNN, LSTM and GRU keep them; a cell below the top of a stack hands on its whole sequence."""
    config = layer.get_config()
    if type(layer) is keras.layers.RNN:
        try:
            cell_config = cell.get_config()
        except NotImplementedError:  # a cell of one's own without get_config
            cell_config = {"name": cell.name}
        config = {**cell_config, **{key: value for key, value in config.items() if key != "cell"},
                  "cell_class": type(cell).__name__, "units": int(getattr(cell, "units", output_size(cell)))}
        if not top:
            config["return_sequences"] = True
    return json_ready(config)
