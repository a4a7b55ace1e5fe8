"""What a recording holds: :class:`LayerTrace` per recurrent layer, :class:`ModelTrace` for a model.

NumPy only: traces are made by :func:`rnnviz.record` and read by every renderer,
which never needs TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnviz.archive import read_archive, write_archive
from rnnviz.errors import TraceFileError, UnknownLayerError
from rnnviz.kinds import cell_kind

TRACE_FORMAT = "rnnviz.ModelTrace"
TRACE_FORMAT_VERSION = 1


FRAMEWORKS = {"keras": "Keras", "torch": "PyTorch"}  # versions["framework"] -> its name


@dataclass(eq=False)
class LayerTrace:
    """Everything one recurrent layer (or one direction of a Bidirectional layer) did.

    Arrays are ``(batch, time, ...)`` and indexed by input time: ``states["h"][:, t]``
    is the state right after ``inputs[:, t]`` was consumed, whichever direction the
    layer ran in. At masked steps (``mask`` False) the states hold the carried-over
    state, exactly as Keras carries it; the gates hold what the cell computed there,
    which Keras then discards.

    Parameters
    ----------
    name : str
        The Keras layer's name; ``"<name>/forward"`` or ``"<name>/backward"`` for
        the two directions of a Bidirectional layer, ``"<name>/layer<k>"`` for a cell of a
        stack; ``"#2"``, ``"#3"``, ... appended for a layer's later calls (``"bi/forward#2"``).
    kind : str
        ``"simple_rnn"``, ``"lstm"``, ``"peephole_lstm"``, ``"gru"``, or ``"custom"`` for a cell of one's own
        (:data:`rnnviz.kinds.CUSTOM_KIND`: ``h`` and the states it carries, ``state1``, ...; no gates).
    units : int
    inputs : ndarray, (batch, time, features)
        What the layer received.
    states : dict of ndarray, (batch, time, units)
        ``"h"``, and ``"c"`` for the LSTM kinds.
    gates : dict of ndarray, (batch, time, units)
        Gate activations after their nonlinearity.
    mask : ndarray of bool, (batch, time)
        True where the step was real.
    weights : dict of ndarray
        The cell's weights as Keras holds them (``kernel``, ``recurrent_kernel``, ...).
    config : dict
        The Keras layer's config.
    initial_states : dict of ndarray, (batch, units)
        The states before the first step the layer took.
    go_backwards : bool
        True when the layer consumed the sequence from its last step to its first.
    sequences_per_sample : int
        1, except for a layer inside ``TimeDistributed``, which runs on every slice
        of every sample (each row of an image, say): then the batch axis runs over
        (sample, slice) pairs, sample by sample, this many slices per sample.
    """

    name: str
    kind: str
    units: int
    inputs: np.ndarray
    states: dict
    gates: dict
    mask: np.ndarray
    weights: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    initial_states: dict = field(default_factory=dict)
    go_backwards: bool = False
    sequences_per_sample: int = 1

    def __post_init__(self):
        spec = cell_kind(self.kind)
        self.units = int(self.units)
        self.sequences_per_sample = int(self.sequences_per_sample)
        self.inputs = np.asarray(self.inputs)
        self.mask = np.asarray(self.mask, dtype=bool)
        if self.inputs.ndim != 3:
            raise ValueError(f"inputs: expected (batch, time, features), got shape {self.inputs.shape}")
        batch, steps = self.inputs.shape[:2]
        _check_names("states", self.states if not spec.more_states else {
            key: value for key, value in self.states.items() if key in spec.states}, spec.states)
        _check_names("gates", self.gates, spec.gates)
        for group, arrays in (("states", self.states), ("gates", self.gates)):
            for key, array in arrays.items():
                if spec.more_states and key not in spec.states and array.shape[:2] == (batch, steps):
                    continue  # a custom cell's own state: any size
                if array.shape != (batch, steps, self.units):
                    raise ValueError(
                        f"{group}[{key!r}]: expected shape {(batch, steps, self.units)}, got {array.shape}"
                    )
        if self.mask.shape != (batch, steps):
            raise ValueError(f"mask: expected shape {(batch, steps)}, got {self.mask.shape}")
        for key, array in self.initial_states.items():
            if array.shape != (batch, self.units) and not (spec.more_states and key not in spec.states):
                raise ValueError(f"initial_states[{key!r}]: expected shape {(batch, self.units)}, got {array.shape}")

    @property
    def batch_size(self) -> int:
        return self.inputs.shape[0]

    @property
    def steps(self) -> int:
        return self.inputs.shape[1]

    @property
    def state_names(self) -> tuple[str, ...]:
        spec = cell_kind(self.kind)
        return tuple(self.states) if spec.more_states else spec.states

    @property
    def gate_names(self) -> tuple[str, ...]:
        return cell_kind(self.kind).gates

    def __repr__(self):
        gates = ", ".join(self.gate_names) or "no gates"
        return (
            f"LayerTrace({self.name!r}, kind={self.kind!r}, units={self.units}, "
            f"batch={self.batch_size}, steps={self.steps}, {gates}"
            + (f", {self.sequences_per_sample} sequences per sample)" if self.sequences_per_sample > 1 else ")")
        )


@dataclass(eq=False)
class ModelTrace:
    """The traces of every recurrent layer of one model on one batch, in model order.

    Parameters
    ----------
    layers : list of LayerTrace
    model_name : str
    model_input : ndarray or None
        The ``x`` the model was given (token ids for an Embedding model).
    model_output : ndarray or None
        The model's (first) output on ``x``.
    versions : dict
        Versions of rnnviz, Keras and TensorFlow (or PyTorch) that made the recording; ``"framework"``:
        ``"torch"`` for a PyTorch module (none: Keras).
    architecture : list of dict
        Every layer of the model as plain data (:class:`rnnviz.diagrams.Stage`
        dicts), so diagrams of a saved trace show the model it came from.
    """

    layers: list
    model_name: str = ""
    model_input: np.ndarray | None = None
    model_output: np.ndarray | None = None
    versions: dict = field(default_factory=dict)
    architecture: list = field(default_factory=list)

    def __post_init__(self):
        names = [layer.name for layer in self.layers]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"layers: layer names must be unique, repeated: {duplicated}")

    def __getitem__(self, name: str) -> LayerTrace:
        for layer in self.layers:
            if layer.name == name:
                return layer
        directions = [other for other in self.layer_names if other.startswith(f"{name}/")]
        hint = f"; {name!r} is Bidirectional: choose {directions}" if directions else ""
        raise UnknownLayerError(f"layer: no recurrent layer named {name!r}{hint}; this trace has {self.layer_names}")

    def __iter__(self):
        return iter(self.layers)

    def __len__(self):
        return len(self.layers)

    @property
    def framework(self) -> str:
        """What the model was recorded from, as a reader knows it: "Keras" or "PyTorch"."""
        return FRAMEWORKS[self.versions.get("framework", "keras")]

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def __repr__(self):
        inner = "".join(f"\n  {layer!r}," for layer in self.layers)
        return f"ModelTrace({self.model_name!r}, layers=[{inner}\n])"

    def save(self, path) -> Path:
        """Write the trace to ``path`` (``.npz`` with JSON metadata, no pickle); return the path."""
        arrays, layer_meta = {}, []
        for index, layer in enumerate(self.layers):
            prefix = f"layers/{index}/"
            arrays[prefix + "inputs"] = layer.inputs
            arrays[prefix + "mask"] = layer.mask
            for group in ("states", "gates", "weights", "initial_states"):
                for key, array in getattr(layer, group).items():
                    arrays[f"{prefix}{group}/{key}"] = array
            layer_meta.append(
                {
                    "name": layer.name,
                    "kind": layer.kind,
                    "units": layer.units,
                    "config": layer.config,
                    "go_backwards": layer.go_backwards,
                    "sequences_per_sample": layer.sequences_per_sample,
                }
            )
        for key in ("model_input", "model_output"):
            if getattr(self, key) is not None:
                arrays[key] = getattr(self, key)
        meta = {"model_name": self.model_name, "versions": self.versions, "layers": layer_meta,
                "architecture": self.architecture}
        return write_archive(path, kind=TRACE_FORMAT, version=TRACE_FORMAT_VERSION, meta=meta, arrays=arrays)


def load(path) -> ModelTrace:
    """Read a :class:`ModelTrace` saved by :meth:`ModelTrace.save`, without pickle or TensorFlow."""
    meta, arrays = read_archive(path, kind=TRACE_FORMAT, max_version=TRACE_FORMAT_VERSION)
    try:
        layers = [_layer_from_arrays(index, info, arrays) for index, info in enumerate(meta["layers"])]
        return ModelTrace(
            layers=layers,
            model_name=meta.get("model_name", ""),
            model_input=arrays.get("model_input"),
            model_output=arrays.get("model_output"),
            versions=meta.get("versions", {}),
            architecture=meta.get("architecture", []),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TraceFileError(f"{path}: the trace's contents are inconsistent ({exc})") from exc


def _layer_from_arrays(index: int, info: dict, arrays: dict) -> LayerTrace:
    prefix = f"layers/{index}/"

    def group(name):
        start = f"{prefix}{name}/"
        return {key[len(start) :]: value for key, value in arrays.items() if key.startswith(start)}

    return LayerTrace(
        name=info["name"],
        kind=info["kind"],
        units=info["units"],
        inputs=arrays[prefix + "inputs"],
        mask=arrays[prefix + "mask"],
        states=group("states"),
        gates=group("gates"),
        weights=group("weights"),
        initial_states=group("initial_states"),
        config=info.get("config", {}),
        go_backwards=bool(info.get("go_backwards", False)),
        sequences_per_sample=int(info.get("sequences_per_sample", 1)),
    )


def _check_names(argument: str, given: dict, expected: tuple[str, ...]) -> None:
    if set(given) != set(expected):
        raise ValueError(f"{argument}: expected keys {list(expected)}, got {sorted(given)}")
