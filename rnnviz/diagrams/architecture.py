"""A model's architecture as plain data: the :class:`Stage` list diagrams are drawn from.

Read from a Keras model's own config (``model.get_config()``), so no TensorFlow
is imported here; :func:`rnnviz.record` stores the same list in the trace, so a
saved trace can be drawn as the model it came from.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field

from rnnviz.kinds import CELL_KINDS, CUSTOM_KIND

RECURRENT_CLASSES = {name: kind.name for kind in CELL_KINDS.values() for name in (kind.layer_name, kind.cell_name)}
STAGE_ROLES = {
    "InputLayer": "input",
    "Embedding": "embedding",
    "Masking": "masking",
    "Conv1D": "conv1d",
    "RepeatVector": "repeat",
    "Dense": "dense",
    "TimeDistributed": "time_distributed",
    "Bidirectional": "recurrent",
    "RNN": "recurrent",
    **{name: "recurrent" for name in RECURRENT_CLASSES},
}
PASS_THROUGH = ("Dropout", "SpatialDropout1D", "GaussianNoise", "Activation", "Normalization", "LayerNormalization",
                "BatchNormalization", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax")
# Layers that slide a window along time (the time axis first after the batch, channels last).
WINDOW_CLASSES = ("Conv1D", "SeparableConv1D", "DepthwiseConv1D", "Conv2D", "SeparableConv2D", "DepthwiseConv2D",
                  "MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D")
INPUT_NAME = "input x"  # what every figure calls a model's input
# Layers known to keep time step by step (besides those with a stage role, which all do but RepeatVector).
KEEPS_TIME = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Rescaling", "Identity",
              "UnitNormalization", "EinsumDense")


@dataclass(frozen=True)
class Stage:
    """One layer of a model, as a diagram needs it.

    Parameters
    ----------
    name : str
        The Keras layer's name.
    role : str
        ``"input"``, ``"embedding"``, ``"masking"``, ``"conv1d"``, ``"recurrent"``,
        ``"repeat"``, ``"dense"``, ``"time_distributed"`` or ``"other"``.
    class_name : str
    sources : tuple of str
        The stages whose outputs it takes.
    state_source : str
        The stage whose final states it starts from (``initial_state``), if any.
    kind : str
        The cell kind of a recurrent stage.
    units, return_sequences, go_backwards, bidirectional, merge_mode, repeat, steps, features
        Read from the layer's config (``steps``/``features`` for inputs; ``repeat`` for RepeatVector).
    extra : dict
        More about the layer; ``extra["time"]`` says how it maps time steps when it does not keep
        them one by one: a window (``kernel``, ``stride``, ``dilation``, ``padding``; see
        :func:`window_steps`) or ``"unknown"``. ``extra["drawn_as"]``, from a layer that says how it is
        drawn (its ``drawn_as`` attribute), keeps time step by step: ``name`` (what a reader calls it),
        ``reference`` (``"first"`` or ``"last"``: the step of its last input every step also reads) and,
        optionally, ``reference_name`` (what that step is called, e.g. ``"today"``) and ``outputs`` (what its
        values are, e.g. ``"steps ahead"``).
    """

    name: str
    role: str
    class_name: str
    sources: tuple = ()
    state_source: str = ""
    kind: str = ""
    units: int = 0
    return_sequences: bool = False
    go_backwards: bool = False
    bidirectional: bool = False
    merge_mode: str = ""
    repeat: int = 0
    steps: int | None = None
    features: int | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready."""
        return {**asdict(self), "sources": list(self.sources)}

    @classmethod
    def from_dict(cls, data: dict) -> "Stage":
        """The inverse of :meth:`to_dict`."""
        return cls(**{**data, "sources": tuple(data.get("sources", ()))})


def describe_model(model) -> list:
    """The stages of a Keras Sequential or functional model, in the order data flows."""
    return _described(model)[0]


def _described(model) -> tuple:
    """``(stages, output stages)`` of a Keras model: :func:`describe_model`'s stages, and the stage each of the
    model's outputs comes from, in the order the model returns them."""
    config = model.get_config()
    entries = config.get("layers")
    if entries is None:
        raise ValueError(f"model: cannot read the layers of {type(model).__name__}; expected a Sequential or functional model")
    sequential = all("inbound_nodes" not in entry for entry in entries)
    layers = {layer.name: layer for layer in getattr(model, "layers", [])}
    names = {} if sequential else call_names(model)
    models = _flattened_models(entries, layers)
    stages, skipped = [], {}  # skipped: pass-through layer (call) name -> the stage it passes on
    texts = {}  # input name -> the steps its TextVectorization cuts the text into (None: the longest text's)
    for entry, call in _calls(entries, names):
        if sequential:
            sources, state_sources = ((stages[-1].name,) if stages else ()), ()
            arguments = list(sources)
        else:
            sources, state_sources, arguments = _inbound(call.get("inbound_nodes", []), names, models)
        if entry["class_name"] in (*PASS_THROUGH, "TextVectorization"):
            skipped[call["config"]["name"]] = sources[0] if sources else ""
            if entry["class_name"] == "TextVectorization":  # text in, token ids out: drawn as the input's token ids
                texts[sources[0] if sources else "input"] = entry["config"].get("output_sequence_length")
            continue
        if _stacked_cells(entry):  # keras.layers.RNN(StackedRNNCells): a layer per cell, as its traces are
            stacked = _stacked_stages(call, sources, state_sources, layers.get(entry["config"]["name"]))
            stages.extend(stacked)
            skipped[call["config"]["name"]] = stacked[-1].name
            continue
        layer = layers.get(entry["config"].get("name"))
        if entry["config"].get("name") in models:  # a model used as a layer: drawn as its own layers
            nested, outputs = _nested_stages(layer, call["config"]["name"], arguments)
            stages.extend(nested)
            handed_on = outputs or [arguments[0] if arguments else ""]  # nothing drawn: it hands its input on
            skipped[call["config"]["name"]] = handed_on[0]
            skipped.update({_output_key(call["config"]["name"], index): output for index, output in enumerate(handed_on)})
            continue
        stage = _stage(call, sources, state_sources)
        if stage.kind == CUSTOM_KIND.name and not stage.units and layer is not None:  # no units in its config
            stage = Stage.from_dict({**stage.to_dict(), "units": _output_size(layer)})
        drawn_as = getattr(layer, "drawn_as", None)  # a layer's own word on how it is drawn (rnnviz's forecasters')
        time = None if drawn_as else _time(entry["class_name"], entry.get("config", {}), layer)
        extra = {**stage.extra, **({"time": time} if time is not None else {}),
                 **({"drawn_as": dict(drawn_as)} if drawn_as else {})}
        stages.append(Stage.from_dict({**stage.to_dict(), "extra": extra}))
    if not stages or stages[0].role != "input":
        shape = tuple(model.inputs[0].shape) if getattr(model, "inputs", None) else (None, None, None)
        stages.insert(0, input_stage("input", shape))
        if len(stages) > 1:
            stages[1] = Stage.from_dict({**stages[1].to_dict(), "sources": ["input"]})
    stages = [input_stage(stage.name, (None, texts[stage.name])) if stage.name in texts else stage for stage in stages]
    stages = _resolved(stages, skipped)
    functional = {entry["config"]["name"] for entry in entries if entry["class_name"] == "Functional"}

    def output_stage(history):  # a nested functional model's calls count from 1 in output_layers, from 0 elsewhere
        layer, node = history[0], history[1] - (history[0] in functional)
        name = names.get((layer, node), layer)
        return _followed(_output_key(name, history[2]) if layer in models else name, skipped)

    output_layers = config.get("output_layers")
    stages = mark_token_inputs(_without_dead_ends(_in_flow_order(stages), output_layers, output_stage))
    outputs = [output_stage(history) for history in _output_histories(output_layers)] if output_layers else []
    return stages, outputs or [stages[-1].name]


def _flattened_models(entries, layers: dict) -> set:
    """The models used as layers that are drawn as their own layers: each whose layers' names no other layer of the
    model has (the recorder names traces by layer name, so two layers of one name could not be told apart; such a
    model stays one box)."""
    models = {entry["config"]["name"] for entry in entries
              if entry["config"].get("layers") is not None and hasattr(layers.get(entry["config"]["name"]), "layers")}
    inside = {name: [inner.name for inner in layers[name].layers] for name in models}
    counts = Counter([entry["config"]["name"] for entry in entries if entry["config"]["name"] not in models]
                     + [inner for names in inside.values() for inner in names])
    return {name for name in models if all(counts[inner] == 1 for inner in inside[name])}


def _output_key(call_name: str, index: int) -> str:
    """How a source names output ``index`` of a call of a model used as a layer, until it is followed to its stage."""
    return f"{call_name}/output{index}"


def _followed(name: str, skipped: dict) -> str:
    """The stage ``name`` stands for: itself, or for a layer drawn as no stage of its own (a pass-through layer, a
    stacked RNN, a model used as a layer), the stage it passes on, followed through as many as there are."""
    seen = set()
    while name in skipped and name not in seen:
        seen.add(name)
        name = skipped[name]
    return name


def _resolved(stages: list, skipped: dict) -> list:
    """``stages`` with every source the stage it stands for (:func:`_followed`), followed once every layer is known
    (a layer's later call may read a pass-through layer listed after its first call)."""
    def follow(names):
        return tuple(dict.fromkeys(_followed(name, skipped) for name in names))

    return [Stage.from_dict({**stage.to_dict(), "sources": list(follow(stage.sources)),
                             "state_source": _followed(stage.state_source, skipped) if stage.state_source else ""})
            for stage in stages]


def _nested_stages(model, call_name: str, arguments: list) -> list:
    """The stages of a ``model`` used as a layer (a Siamese network's shared encoder, a trained model wrapped with its
    TextVectorization), drawn as its own layers: its inputs are what the call is given, in the order the model takes
    them (kept, for a model's first layer), and the stages of its later calls are named with the call's number as
    their traces are ("lstm#2"; a layer it calls twice itself: "lstm#3", "lstm#4" in its second call). Returns
    ``(stages, the stage each of its outputs comes from)``."""
    _, call = call_of(call_name)
    inner, outputs = _described(model)
    taken = model.get_config().get("input_layers")
    inputs = [history[0] for history in _output_histories(taken)] if taken else []
    inputs = [name for name in inputs if any(stage.name == name for stage in inner)] or [
        stage.name for stage in inner if stage.role == "input"]
    given = {name: arguments[min(index, len(arguments) - 1)] for index, name in enumerate(inputs)} if arguments else {}
    per_call = Counter(call_of(stage.name)[0] for stage in inner if stage.role != "input")  # within one call

    def renamed(name):
        if name in given:
            return given[name]
        if call == 1 or not name:
            return name
        base, inner_call = call_of(name)
        return numbered(base, (call - 1) * per_call.get(base, 1) + inner_call)

    stages = [Stage.from_dict({**stage.to_dict(), "name": renamed(stage.name),
                               "sources": [renamed(source) for source in stage.sources],
                               "state_source": renamed(stage.state_source)})
              for stage in inner if stage.name not in given]
    return stages, [renamed(output) for output in outputs] if stages else []


def _in_flow_order(stages: list) -> list:
    """``stages`` with each after the stages it reads, otherwise in their order: a layer's later call (its own
    stage) comes after what it reads, not beside its first call as the config lists it."""
    ordered, waiting = [], list(stages)
    while waiting:
        unread = {stage.name for stage in waiting}
        ready = next((stage for stage in waiting if not unread & {*stage.sources, stage.state_source}), waiting[0])
        ordered.append(ready)
        waiting.remove(ready)
    return ordered


def _without_dead_ends(stages: list, output_layers, output_stage) -> list:
    """``stages`` less the operations whose result no layer reads and the model does not return (Keras 3 keeps
    the operations that compute a mask in a functional model's graph: an ``Embedding(mask_zero=True)``'s
    ``NotEqual``, a ``Masking`` layer's ``NotEqual`` and ``Any``)."""
    if not output_layers:  # a Sequential model: one chain, no dead end
        return stages
    outputs = {output_stage(history) for history in _output_histories(output_layers)}
    while True:  # a chain of them (Masking's mask: NotEqual, then Any) goes one operation at a time
        read = {source for stage in stages for source in (*stage.sources, stage.state_source) if source}
        kept = [stage for stage in stages if stage.role != "other" or stage.name in read or stage.name in outputs]
        if len(kept) == len(stages):
            return stages
        stages = kept


def _output_histories(output_layers):
    """The ``[name, node, tensor]`` entries of a functional config's ``output_layers``, nested as the outputs are
    (a stacked RNN's final states: a list per cell)."""
    if isinstance(output_layers[0], str):
        yield output_layers
    else:
        for entry in output_layers:
            yield from _output_histories(entry)


def call_names(model) -> dict:
    """``(layer name, node index) -> stage name`` for a functional model: a layer's name for the call of it that
    runs first, ``"<name>#2"``, ``"<name>#3"``, ... for the calls that run later (a layer the model calls more than
    once: a shared encoder, an embedding shared by encoder and decoder), as its traces are named. Node indices count
    the layer's calls within the model, as its config does; the order is the order the model runs its nodes in."""
    by_depth = getattr(model, "_nodes_by_depth", None) or {}
    in_model = {id(node) for nodes in by_depth.values() for node in nodes}
    names, counts = {}, {}
    for depth in sorted(by_depth, reverse=True):
        for node in by_depth[depth]:
            layer = node.operation
            if layer is None or node.is_input:
                continue
            index = [id(own) for own in layer._inbound_nodes if id(own) in in_model].index(id(node))
            count = counts[layer.name] = counts.get(layer.name, 0) + 1
            names[(layer.name, index)] = numbered(layer.name, count)
    return names


def _calls(entries, names: dict):
    """``(entry, call)`` for each call of each layer entry: ``call`` is the entry with that call's stage name and
    inbound node alone (a Sequential model's layers and inputs: the entry itself)."""
    for entry in entries:
        nodes = entry.get("inbound_nodes") or []
        if len(nodes) < 2:
            yield entry, entry
            continue
        layer = entry["config"]["name"]
        for index, node in enumerate(nodes):
            name = names.get((layer, index), numbered(layer, index + 1))
            yield entry, {**entry, "config": {**entry["config"], "name": name}, "inbound_nodes": [node]}


def read_name(stages, layer: str) -> str:
    """What the recurrent ``layer`` (a trace's layer name) reads, in the words every figure uses for it: the input
    (:data:`INPUT_NAME`), a layer's own name for its output (``"x − today"``) or the output of the layer below."""
    by_name = {stage.name: stage for stage in stages}
    base, call = call_of(layer)
    name = split_direction(base)[0]
    stage = by_name.get(numbered(name, call)) or by_name.get(name)  # its call's stage, if drawn
    source = by_name.get(stage.sources[0]) if stage is not None and stage.sources else None
    if source is None or source.role == "input":
        return INPUT_NAME
    return source.extra["drawn_as"]["name"] if "drawn_as" in source.extra else f"output of {source.name}"


DIRECTIONS = ("forward", "backward")  # the two traces of a bidirectional layer: "<name>/forward", "<name>/backward"


def traces_named(names: tuple, layer_names) -> list:
    """The trace names among ``layer_names`` that are one of ``names`` (a stage's name, or its directions'), else,
    where none is, those of their later calls (``"<name>#2"``, ...)."""
    exact = [name for name in layer_names if name in names]
    return exact or [name for name in layer_names if name.split("#")[0] in names]


def numbered(name: str, call: int) -> str:
    """The trace (and stage) name of call ``call`` (1, 2, ...) of the layer ``name``: ``name`` for the first,
    ``"<name>#2"``, ``"<name>#3"``, ... for later ones (the inverse of :func:`call_of`)."""
    return name if call == 1 else f"{name}#{call}"


def call_of(name: str) -> tuple:
    """``(name without the call's number, call number)``: ``("encoder", 2)`` of ``"encoder#2"``, ``("stack/layer1",
    1)`` of ``"stack/layer1"``."""
    layer, _, call = name.partition("#")
    return layer, int(call) if call.isdigit() else 1


def split_direction(trace_name: str) -> tuple:
    """``(layer name, direction)`` of a trace name: ``("lstm/layer2", "backward")`` of ``"lstm/layer2/backward"``,
    ``(trace_name, "")`` for a trace that is not one direction of a bidirectional layer."""
    name, _, direction = trace_name.rpartition("/")
    return (name, direction) if direction in DIRECTIONS else (trace_name, "")


def stages_from_trace(trace) -> list:
    """The stages stored in a :class:`~rnnviz.ModelTrace` (``trace.architecture``).

    A trace without them (made by hand, or recorded from a PyTorch module) is described from its recurrent layers
    alone, stacked in order on one input sequence; a layer named ``"<name>/forward"`` or ``"<name>/backward"`` is a
    direction of the bidirectional layer ``<name>`` (``"lstm/layer2/backward"``: of ``"lstm/layer2"``).
    """
    if getattr(trace, "architecture", None):
        return [Stage.from_dict(entry) for entry in trace.architecture]
    first = trace.layers[0]
    stages = [input_stage("input", (None, first.steps, first.inputs.shape[-1]))]
    seen = set()
    for layer in trace.layers:
        name, direction = split_direction(layer.name)
        if name in seen:
            continue
        seen.add(name)
        stages.append(
            Stage(
                name=name, role="recurrent", class_name=layer.kind, sources=(stages[-1].name,), kind=layer.kind,
                units=layer.units, return_sequences=bool(layer.config.get("return_sequences", True)),
                go_backwards=layer.go_backwards, bidirectional=bool(direction),
            )
        )
    return stages


def _output_size(layer) -> int:
    """What the recurrent ``layer`` around a cell of one's own outputs per step."""
    cell = getattr(layer, "cell", None) or getattr(getattr(layer, "forward_layer", None), "cell", None)
    return _cell_output_size(cell)


def _cell_output_size(cell) -> int:
    """What a cell of one's own outputs per step: its output_size, else its first state's size."""
    size = getattr(cell, "output_size", None)
    if size is None:
        size = cell.state_size if isinstance(cell.state_size, int) else cell.state_size[0]
    return int(size)


def part_name(name: str, part: str) -> str:
    """The trace name of a part of the layer (or call) ``name``: ``"<name>/<part>"`` (a direction, ``"forward"``, or a
    cell of a stack, ``"layer2"``), the call's number last as in every trace name (``"bi#2"``: ``"bi/forward#2"``)."""
    layer, mark, call = name.partition("#")
    return f"{layer}/{part}{mark}{call}"


def stacked_name(name: str, position: int) -> str:
    """The trace (and stage) name of the ``position``-th cell (1, 2, ...) of the stacked layer ``name``, as PyTorch
    stacks are named: ``"<name>/layer<k>"`` (of a later call, ``"<name>/layer<k>#2"``)."""
    return part_name(name, f"layer{position}")


def _stacked_cells(entry: dict) -> list:
    """The cell configs of an ``RNN(StackedRNNCells([...]))`` entry (not inside a Bidirectional), else []."""
    cell = entry.get("config", {}).get("cell", {}) if entry["class_name"] == "RNN" else {}
    return cell.get("config", {}).get("cells", []) if cell.get("class_name") == "StackedRNNCells" else []


def _stacked_stages(entry: dict, sources: tuple, state_sources: tuple, layer=None) -> list:
    """One recurrent stage per cell of a stacked RNN (``layer``, if given, the Keras layer), named as its traces
    (``"<name>/layer<k>"``); each cell but the top hands its whole sequence to the next, and every cell starts
    from the states it is given."""
    config, cells = entry["config"], _stacked_cells(entry)
    live = getattr(getattr(layer, "cell", None), "cells", None) or [None] * len(cells)
    stages = []
    for position, (cell, live_cell) in enumerate(zip(cells, live), 1):
        top = position == len(cells)
        layer_config = {**config, "cell": cell, "name": stacked_name(config["name"], position),
                        "return_sequences": config.get("return_sequences", False) if top else True}
        stage = _stage({"class_name": "RNN", "config": layer_config}, sources, state_sources)
        if stage.kind == CUSTOM_KIND.name and live_cell is not None:  # what it hands up, whatever its config says
            stage = Stage.from_dict({**stage.to_dict(), "units": _cell_output_size(live_cell)})
        stages.append(stage)
        sources = (stage.name,)
    return stages


def _stage(entry: dict, sources: tuple, state_sources: tuple) -> Stage:
    class_name, config = entry["class_name"], entry.get("config", {})
    name = config.get("name", class_name.lower())
    role = STAGE_ROLES.get(class_name, "other")
    if role == "input":
        return input_stage(name, tuple(config.get("batch_shape") or (None, None, None)))
    common = {"name": name, "role": role, "class_name": class_name, "sources": tuple(sources),
              "state_source": state_sources[0] if state_sources else ""}
    if role == "recurrent":
        inner, bidirectional = config, False
        if class_name == "Bidirectional":
            inner, bidirectional = config["layer"]["config"], True
            inner_class = config["layer"]["class_name"]
        else:
            inner_class = class_name
        if inner_class == "RNN":
            cell = inner["cell"]
            if cell["class_name"] == "StackedRNNCells":  # inside a Bidirectional: drawn as its top cell
                cell = cell["config"]["cells"][-1]
            inner_class, units = cell["class_name"], cell["config"].get("units", 0)
        else:
            units = inner["units"]
        kind = RECURRENT_CLASSES.get(inner_class, CUSTOM_KIND.name)  # a cell of one's own: a box with its class
        return Stage(**common, kind=kind, units=int(units),
                     extra={"cell_class": inner_class} if kind == CUSTOM_KIND.name else {},
                     return_sequences=bool(inner.get("return_sequences", False)),
                     go_backwards=bool(inner.get("go_backwards", False)), bidirectional=bidirectional,
                     merge_mode=str(config.get("merge_mode", "")) if bidirectional else "")
    if role == "repeat":
        return Stage(**common, repeat=int(config["n"]))
    if role == "dense":
        return Stage(**common, units=int(config["units"]))
    if role == "time_distributed":
        inner = config["layer"]
        return Stage(**common, units=int(inner["config"].get("units", 0)), extra={"layer": inner["class_name"]})
    if role == "embedding":
        return Stage(**common, units=int(config["output_dim"]), extra={"vocabulary": int(config["input_dim"])})
    if role == "conv1d":
        return Stage(**common, units=int(config["filters"]), extra={"kernel_size": list(config["kernel_size"])})
    return Stage(**common)


def _time(class_name: str, config: dict, layer) -> dict | str | None:
    """How a layer maps time steps: None (one by one), a window (see :func:`window_steps`) or ``"unknown"``."""
    if class_name in WINDOW_CLASSES:
        if config.get("data_format") == "channels_first":
            return "unknown"
        pooling = "Pooling" in class_name
        kernel = _first(config["pool_size" if pooling else "kernel_size"])
        return {"kernel": kernel, "stride": _first(config.get("strides") or kernel),
                "dilation": _first(config.get("dilation_rate", 1)), "padding": config.get("padding", "valid")}
    if class_name == "Reshape":
        return None if _reshape_keeps_time(layer) else "unknown"
    if class_name in STAGE_ROLES or class_name in KEEPS_TIME:
        return None
    return "unknown"


def _first(value) -> int:
    """The first entry of a per-axis setting (the time axis's), or the setting itself."""
    return int(value[0] if isinstance(value, (list, tuple)) else value)


def _reshape_keeps_time(layer) -> bool:
    """True when a Reshape keeps (batch, time, ...) and only regroups the values within each step."""
    try:
        before, after = tuple(layer.input.shape), tuple(layer.output.shape)
    except (AttributeError, ValueError):
        return False
    within = (before[2:], after[2:])
    return (len(before) > 2 and len(after) > 2 and None not in within[0] + within[1]
            and math.prod(within[0]) == math.prod(within[1]))


def window_steps(window: dict, length: int) -> tuple:
    """(count, first): a window layer on ``length`` steps gives ``count`` steps, and its step j reads the steps
    ``first + j * stride + m * dilation`` (m < kernel) that lie in 0 … length − 1 (the others are padding).

    ``window``: ``kernel``, ``stride``, ``dilation`` and ``padding`` (``"valid"``, ``"same"`` or ``"causal"``).
    """
    kernel, stride, dilation, padding = (window[key] for key in ("kernel", "stride", "dilation", "padding"))
    span = dilation * (kernel - 1) + 1
    if padding == "valid":
        return max(0, (length - span) // stride + 1), 0
    if padding == "causal":
        return (length - 1) // stride + 1, 1 - span
    if padding == "same":  # TensorFlow's SAME: the odd padding step goes at the end
        count = -(-length // stride)
        return count, -(max((count - 1) * stride + span - length, 0) // 2)
    raise ValueError(f"window: unknown padding {padding!r}; expected 'valid', 'same' or 'causal'")


def window_reads(window: dict, length: int, step: int) -> list:
    """The steps (of ``length``) that ``step`` of a window layer reads, padding left out."""
    _, first = window_steps(window, length)
    start = first + step * window["stride"]
    taps = range(start, start + window["dilation"] * window["kernel"], window["dilation"])
    return [tap for tap in taps if 0 <= tap < length]


def step_ranges(windows: list, length: int) -> list:
    """(first, last) of the ``length`` input steps each step reads after the ``windows`` (applied in turn)."""
    ranges = [(step, step) for step in range(length)]
    for window in windows:
        count, _ = window_steps(window, len(ranges))
        reads = [window_reads(window, len(ranges), step) for step in range(count)]
        ranges = [(ranges[read[0]][0], ranges[read[-1]][1]) for read in reads]
    return ranges


def _inbound(nodes: list, names: dict, models=frozenset()):
    """(sources, state sources, arguments) of a functional model's layer entry (its inbound ``nodes``): each the call
    it comes from (:func:`call_names`), followed through pass-through layers to its stage once every layer is known
    (:func:`_resolved`); ``arguments``: the sources in the order the call was given them, repeats kept. An output of a
    model used as a layer (one of ``models``) is named by its index (:func:`_output_key`)."""
    sources, state_sources = [], []

    def history(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            layer, node, index = value["config"]["keras_history"][:3]
            name = names.get((layer, node), layer)
            yield _output_key(name, index) if layer in models else name
        elif isinstance(value, dict):
            for item in value.values():
                yield from history(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from history(item)

    for node in nodes:
        sources.extend(history(node.get("args", [])))
        state_sources.extend(history(node.get("kwargs", {}).get("initial_state", [])))
    return tuple(dict.fromkeys(sources)), tuple(dict.fromkeys(state_sources)), sources


def input_stage(name: str, shape: tuple) -> Stage:
    """An input: a sequence (batch, time, features), or (batch, n) — a vector, or token ids."""
    sequence = len(shape) > 2
    return Stage(name=name, role="input", class_name="InputLayer", steps=shape[1] if sequence else None,
                 features=shape[-1] if len(shape) > 1 else None, extra={"sequence": sequence})


def mark_token_inputs(stages: list) -> list:
    """A (batch, n) input read by an Embedding is a sequence of n token ids, not a vector."""
    embedded = {source for stage in stages if stage.role == "embedding" for source in stage.sources}
    return [
        Stage.from_dict({**stage.to_dict(), "steps": stage.features, "features": 1,
                         "extra": {"sequence": True, "tokens": True}})
        if stage.role == "input" and stage.name in embedded
        else stage
        for stage in stages
    ]
