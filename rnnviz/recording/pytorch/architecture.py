"""A PyTorch module's diagram stages, from what its forward ran: the recurrent submodules and the layers around them.

A module's forward is code, not a graph, so the data flow is read from the values
that went through the submodules in one pass: a submodule reads the model's input
or an earlier submodule's output when its input equals it (whole, reshaped, or its
last step: a head on the last state, where the recurrent layer then counts as
returning one vector); otherwise it reads something the forward computed itself,
drawn as an input of its own ("input of <name>"). Dropout, activations and
normalisations hand their input on, as in Keras diagrams. What is not drawn as a
known layer is an ``"other"`` stage with its class name. A recurrent module the
forward runs more than once on a sequence (a Siamese encoder) is a stage per run,
named as that run's traces (``"encoder#2"``); one stepped in a loop (a step a run,
as a decoder generates), a cell's later calls and any other submodule's are drawn
once.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from rnnviz.diagrams.architecture import Stage, call_of, input_stage, mark_token_inputs, numbered, split_direction

PASS_THROUGH = (nn.Dropout, nn.ReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.LeakyReLU, nn.ELU, nn.Softmax, nn.LogSoftmax,
                nn.LayerNorm, nn.BatchNorm1d, nn.Identity)
TOLERANCE = 1e-6


def around(module, recurrent: list) -> list:
    """``[(path, submodule)]`` of the layers to watch besides the recurrent ones: every submodule without
    children (not inside a recurrent one)."""
    inside = {path for path, _ in recurrent}
    return [(path, sub) for path, sub in module.named_modules()
            if path and not any(True for _ in sub.children()) and path not in inside
            and not any(path.startswith(f"{outer}.") for outer in inside if outer)]


def architecture(calls: list, traces: list, model_input) -> list:
    """The stages (as dicts) of the module whose submodule ``calls`` gave ``traces``, run on ``model_input``."""
    reader = _Reader(model_input)
    stages = [input_stage("input", np.shape(model_input))]
    by_run = _traces_by_run(traces)
    runs = {}
    for call in calls:
        run = runs[call.path] = runs.get(call.path, 0) + 1
        name = call.path or type(call.module).__name__.lower()
        layers = by_run.get((name, run), []) if call.recurrent else []
        # a recurrent module run again on a sequence (a Siamese encoder) is a stage per run; a module stepped in a
        # loop (one step a run, as a decoder generates), a cell's later calls and any other submodule's are drawn once
        if run > 1 and not (layers and not isinstance(call.module, nn.RNNCellBase) and layers[0][1].steps > 1):
            continue
        if call.recurrent:
            if not layers:
                continue
            source = reader.source_of(layers[0][1].inputs, name if run == 1 else f"{name} (call {run})", stages)
            for position, (stage_name, trace, bidirectional) in enumerate(layers):
                stages.append(Stage(name=stage_name, role="recurrent", class_name=type(call.module).__name__,
                                    sources=(source if position == 0 else layers[position - 1][0],),
                                    kind=trace.kind, units=trace.units, return_sequences=True,
                                    bidirectional=bidirectional))
            reader.produced(layers[-1][0], _array(call.output), recurrent=True)
        elif isinstance(call.module, PASS_THROUGH):
            reader.produced(reader.source_of(_array(call.input), name, stages), _array(call.output))
        else:
            source = reader.source_of(_array(call.input), name, stages)
            stages.append(_layer_stage(name, call.module, source))
            reader.produced(name, _array(call.output))
    stages = [Stage.from_dict({**stage.to_dict(), "return_sequences": False}) if stage.name in reader.last_step_only
              else stage for stage in stages]
    read = {source for stage in stages for source in stage.sources}
    stages = [stage for stage in stages if stage.role != "input" or stage.name in read]
    if reader.one_hot:  # token ids, one-hot encoded by the forward: drawn as token ids
        stages = [Stage.from_dict({**stage.to_dict(), "steps": stage.features, "features": 1, "extra": {
            "sequence": True, "tokens": True, "one_hot": reader.one_hot}}) if stage.name == "input" else stage
            for stage in stages]
    return [stage.to_dict() for stage in mark_token_inputs(stages)]


def _layer_stage(name, module, source) -> Stage:
    if isinstance(module, nn.Embedding):
        return Stage(name=name, role="embedding", class_name="Embedding", sources=(source,),
                     units=module.embedding_dim, extra={"vocabulary": module.num_embeddings})
    if isinstance(module, nn.Linear):
        return Stage(name=name, role="dense", class_name="Linear", sources=(source,), units=module.out_features)
    return Stage(name=name, role="other", class_name=type(module).__name__, sources=(source,))


def _traces_by_run(traces) -> dict:
    """``(module path, run) -> [(stage name, its first trace, bidirectional)]``, one per layer of that run of the
    module (run 1, 2, ...; a later run's stages named with the run's number last, as its traces are:
    ``"lstm/layer1#2"``)."""
    by_run = {}
    for trace in traces:
        base, run = call_of(trace.name)
        stage_name, direction = split_direction(base)
        layers = by_run.setdefault((stage_name.split("/layer")[0], run), [])
        stage_name = numbered(stage_name, run)
        if stage_name not in [entry[0] for entry in layers]:
            layers.append((stage_name, trace, bool(direction)))
    return by_run


class _Reader:
    """What each stage put out so far, to find where a submodule's input came from."""

    def __init__(self, model_input):
        self.outputs = [("input", np.asarray(model_input), False)]
        self.last_step_only = set()  # recurrent stages whose reader took their last step only
        self.one_hot = 0  # the vocabulary, when the forward one-hot encodes the model's input (token ids)

    def produced(self, name, value, recurrent=False):
        if value is not None:
            self.outputs.append((name, value, recurrent))

    def source_of(self, value, name, stages) -> str:
        """The stage whose output ``value`` is; else a new input stage for it (appended to ``stages``)."""
        value = None if value is None else np.asarray(value)
        for source, output, recurrent in reversed(self.outputs):
            if value is None or output is None:
                continue
            if _same(value, output) or _same(value, np.swapaxes(output, 0, 1) if output.ndim == 3 else None) \
                    or (value.size == output.size and _same(value.reshape(-1), output.reshape(-1))):
                return source
            if recurrent and output.ndim == 3 and value.ndim == 2 and (
                    _same(value, output[:, -1]) or _same(value, output[-1])):
                self.last_step_only.add(source)
                return source
        if _one_hot_of(value, self.outputs[0][1]):
            self.one_hot = value.shape[-1]
            return "input"
        own = f"input of {name}"
        stages.append(input_stage(own, value.shape if value is not None else (None, None, None)))
        return own


def _one_hot_of(value, tokens) -> bool:
    """Whether ``value`` is the token ids ``tokens`` (batch, time) one-hot encoded, in either time layout."""
    if value is None or value.ndim != 3 or tokens.ndim != 2 or not np.issubdtype(tokens.dtype, np.integer):
        return False
    if not (np.isin(value, (0, 1)).all() and (value.sum(axis=-1) == 1).all()):
        return False
    ids = value.argmax(axis=-1)
    return (ids.shape == tokens.shape and (ids == tokens).all()) or (ids.T.shape == tokens.shape and
                                                                     (ids.T == tokens).all())


def _same(a, b) -> bool:
    return b is not None and a.shape == b.shape and np.allclose(a, b, rtol=TOLERANCE, atol=TOLERANCE)


def _array(value):
    """The first tensor of a submodule's input or output as a NumPy array (a PackedSequence padded, batch first)."""
    if isinstance(value, PackedSequence):
        return pad_packed_sequence(value, batch_first=True)[0].cpu().numpy()
    if isinstance(value, torch.Tensor):
        return value.cpu().numpy()
    if isinstance(value, (tuple, list)) and value:
        return _array(value[0])
    return None
