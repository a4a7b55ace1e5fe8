"""What the conveyor-belt picture of an LSTM shows: the cell state c riding a belt through the steps, the gates as valves.

At step t the belt brings ``c_{t−1}``; the forget valve lets ``f·c_{t−1}`` through (the rest, ``(1 − f)·c_{t−1}``,
comes off the belt); the input valve lets ``i·g`` of the candidate up its pipe onto the belt; the belt carries on
``c_t = f·c_{t−1} + i·g`` (checked against the trace's c). Every number is the trace's; the steps that matter are
the ones the input marks (a marker feature of the input), found in the data.

The picture's geometry is plain data (column units across, row heights up), so the slide figure and the video
place the same things at the same places: column ``p`` holds one step, its forget valve at ``p + VALVE``, its input
pipe at ``p``; a ``None`` column stands for steps left out (the belt runs on through them, each coloured by its c).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rnnviz.errors import check_int
from rnnviz.views.scales import ColourScale, gate_scale, state_scale
from rnnviz.views.selection import check_sample, select_layer

KINDS = ("lstm", "peephole_lstm")  # cells with a forget and an input gate on a cell state c
VALVE = -0.3  # the forget valve's x in its column (the input pipe is at the column's middle, 0)
TOLERANCE = 1e-4  # how far the trace's c may be from f·c_prev + i·g (float32 rounding)
SHOWN = 0.005  # an amount put on or taken off shows when it is at least this (it writes as 0.01 or more)

# Row heights (y up), shared by the painters.
ROWS = {"step": 8.75, "h": 8.1, "off": 7.4, "f": 6.75, "belt": 5.75, "c": 4.95, "on": 4.3, "i": 3.55, "g": 2.65,
        "g value": 2.05, "x": 1.3}
BELT_HALF = 0.3  # the belt's half height
PIPE_TOP = ROWS["belt"] - BELT_HALF
G_BOX = (0.5, 0.45)  # the candidate's box: width, height
INPUT_VALVE = (0.34, 0.16)  # the input valve's width and height
FORGET_VALVE = (0.12, 2 * BELT_HALF + 0.2)  # the forget valve's width and height, across the belt
PIPE_WIDTH = 0.12  # the candidate's pipe up to the belt
COLUMN_SPAN = (ROWS["x"] - 0.45, ROWS["step"] + 0.3)  # a column's bottom and top (a marked step's shading)
TEXT_PLACES = {"step": (0.0, "center", 1.0), "h": (0.1, "left", 1.0), "off": (VALVE, "center", 1.0),
               "f": (VALVE, "center", 1.0), "c": (0.1, "left", 0.84), "on": (0.1, "left", 0.84),
               "i": (0.22, "left", 1 - INPUT_VALVE[0] / 2 - 0.22), "g value": (0.0, "center", 1.0),
               "x": (0.0, "center", 1.0)}
"""Row -> (x in its column, alignment, the share of a column it may take: up to the same row's text in the next
column, or the next pipe or valve) of its text."""
GAP_PLACES = {"f": VALVE, "off": VALVE, "i": 0.3}  # row -> x in a gap's column of its text, centred (else GAP_X)
GAP_X = 0.1  # clear of the texts right of the pipe before it and of the valve after it
ROW_LABELS = {"step": "step", "h": "output h", "off": "taken off (1−f)·c", "f": "forget gate f",
              "belt": "cell state c", "on": "put on i·g", "i": "input gate i", "g": "candidate g",
              "x": "input"}
ROW_COLOURS = {"f": "forget", "i": "input", "belt": "c", "h": "h", "g": "candidate"}  # row -> its label's palette name


@dataclass(frozen=True)
class ConveyorView:
    """One unit's cell state and gates over a sample's steps, and which steps the picture draws.

    Arrays are per step (steps,): ``forget``, ``input``, ``candidate``, ``c`` and ``h`` as recorded, ``previous``
    the c each step starts from (the initial state before step 0), ``kept`` = f·previous, ``erased`` =
    previous − kept, ``written`` = i·g; ``inputs`` (steps, features) what the layer read, ``marked`` the steps its
    ``marker`` feature marks. ``columns`` the steps drawn, in order, ``None`` for a gap of steps left out.
    ``belt`` colours everything on the belt (c, f·c, i·g); ``candidate_scale`` the candidate (tanh: ±1).
    """

    layer: str
    kind: str
    unit: int
    sample: int
    inputs: np.ndarray
    input_names: tuple
    marked: np.ndarray
    forget: np.ndarray
    input: np.ndarray
    candidate: np.ndarray
    previous: np.ndarray
    c: np.ndarray
    h: np.ndarray
    belt: ColourScale
    candidate_scale: ColourScale
    columns: tuple
    marker: int | None = None

    @property
    def steps(self) -> int:
        return len(self.c)

    @property
    def kept(self) -> np.ndarray:
        return self.forget * self.previous

    @property
    def erased(self) -> np.ndarray:
        return self.previous - self.kept

    @property
    def written(self) -> np.ndarray:
        return self.input * self.candidate

    @property
    def marked_steps(self) -> tuple:
        return tuple(int(step) for step in np.flatnonzero(self.marked))

    @property
    def steps_that_matter(self) -> tuple:
        """The steps a picture with fewer columns keeps: each marked step, the step after it, and the last step."""
        after = {step + 1 for step in self.marked_steps if step + 1 < self.steps}
        return tuple(sorted({*self.marked_steps, *after, self.steps - 1}))

    @property
    def row_labels(self) -> dict:
        """Row -> its label (the input's: the names of the features drawn, not the marker)."""
        names = [name for k, name in enumerate(self.input_names) if k != self.marker]
        return {**ROW_LABELS, "x": "input " + ", ".join(names[:3]) + (" …" if len(names) > 3 else "")}

    @property
    def drawn(self) -> tuple:
        return tuple(step for step in self.columns if step is not None)

    @property
    def hidden(self) -> tuple:
        """The steps left out (drawn as the gap)."""
        drawn = set(self.drawn)
        return tuple(step for step in range(self.steps) if step not in drawn)

    @property
    def shows(self) -> str:
        """Which steps are drawn: "30 steps", or "steps 0–3, 6–7 and 29 of 30"."""
        if not self.hidden:
            return f"{self.steps} steps"
        runs = []
        for step in self.drawn:
            if runs and runs[-1][1] == step - 1:
                runs[-1][1] = step
            else:
                runs.append([step, step])
        runs = [f"{low}–{high}" if high > low else f"{low}" for low, high in runs]
        listed = f"{', '.join(runs[:-1])} and {runs[-1]}" if len(runs) > 1 else runs[0]
        return f"step{'s' * (len(self.drawn) > 1)} {listed} of {self.steps}"

    def with_steps(self, steps) -> "ConveyorView":
        """The same numbers, drawing ``steps`` (indices, in order), a gap (``None``) where steps between them are
        left out, and before them if they do not start at 0."""
        steps = sorted({check_int("steps", step, 0, self.steps - 1, f"the sample has {self.steps} steps")
                        for step in steps})
        if not steps:
            raise ValueError("steps: expected at least one step to draw, got none")
        return replace(self, columns=tuple(_columns(steps)))

    def fitting(self, count: int) -> "ConveyorView":
        """The same numbers in at most ``count`` columns (gaps count): every step if they fit, else the steps that
        matter (each marked step, the step after it, the last step), then as many of the earliest steps as fit."""
        count = check_int("count", count, 1)
        if count >= self.steps:
            return self.with_steps(range(self.steps))
        chosen = set(self.steps_that_matter)
        for step in range(self.steps):
            if step not in chosen and len(_columns(chosen | {step})) <= count:
                chosen.add(step)
        return self.with_steps(chosen)

    def segments(self) -> list:
        """The belt as ``(x0, x1, value)`` pieces, left to right, in column units: before each column's forget valve
        the c it starts from, between the valve and the pipe f·c, after the pipe the new c; a gap's steps each a
        slice of its own c."""
        pieces, x = [], -0.5
        for position, step in enumerate(self.columns):
            if step is None:
                run = self.gap_steps(position)
                edges = np.linspace(x, position + 1 + VALVE, len(run) + 1)
                pieces += [(float(a), float(b), float(self.c[s])) for a, b, s in zip(edges[:-1], edges[1:], run)]
                x = position + 1 + VALVE
                continue
            valve = position + VALVE
            if x < valve:  # only before the first column: the belt brings the initial c
                pieces.append((x, valve, float(self.previous[step])))
            pieces.append((valve, float(position), float(self.kept[step])))
            x = float(position)
            end = position + 1 + VALVE if position + 1 < len(self.columns) else position + 0.5
            pieces.append((x, end, float(self.c[step])))
            x = end
        return pieces

    def texts(self, step: int) -> dict:
        """Row -> what the picture writes for ``step`` (an amount put on or taken off only where it shows)."""
        texts = {"step": str(step), "h": _number(self.h[step]), "f": f"{self.forget[step]:.2f}",
                 "c": _number(self.c[step]), "i": f"{self.input[step]:.2f}", "g value": _number(self.candidate[step]),
                 "x": self.input_text(step)}
        if abs(self.erased[step]) >= SHOWN:
            texts["off"] = _number(self.erased[step])
        if abs(self.written[step]) >= SHOWN:
            texts["on"] = _number(self.written[step], sign=True)
        return texts

    def gap_texts(self, steps) -> dict:
        """Row -> what the picture writes for a gap standing for ``steps``: their range, the least forget gate and
        the largest input gate (bounds at 2 places), the most put on or taken off where it shows, how many marked."""
        steps = np.asarray(steps, int)
        texts = {"step": f"{steps[0]}–{steps[-1]}" if len(steps) > 1 else str(steps[0]),
                 "f": f"≥ {np.floor(self.forget[steps].min() * 100) / 100:.2f}",
                 "i": f"≤ {np.ceil(self.input[steps].max() * 100) / 100:.2f}", "h": "…", "c": "…", "x": "…"}
        for row, amounts in (("off", self.erased[steps]), ("on", self.written[steps])):
            if np.abs(amounts).max() >= SHOWN:
                texts[row] = f"|·| ≤ {np.ceil(np.abs(amounts).max() * 100) / 100:.2f}"
        if self.marked[steps].any():
            texts["x"] = f"{int(self.marked[steps].sum())} marked"
        return texts

    def gap_steps(self, position: int) -> tuple:
        """The steps the gap at column ``position`` stands for."""
        low, high = _before(self.columns, position), _after(self.columns, position, self.steps)
        return tuple(range(low + 1, high))

    def input_text(self, step: int) -> str:
        """The input the layer read at ``step``, without its marker (which the picture marks): "0.90"."""
        values = [value for k, value in enumerate(self.inputs[step]) if k != self.marker]
        shown = values[:3]
        return " ".join(_number(value) for value in shown) + (" …" if len(values) > 3 else "")

    def colours(self, values, background: str, *, scale: str = "belt") -> np.ndarray:
        """(n, 3) RGB of ``values`` on the belt's scale (or the candidate's, ``scale="candidate"``)."""
        return (self.belt if scale == "belt" else self.candidate_scale).colours(values, background)


def conveyor_view(trace, layer=None, *, sample: int = 0, unit: int = 0, input_names=None, marker=None,
                  columns: int | None = None) -> ConveyorView:
    """The cell state of ``unit`` of an LSTM layer (``layer``: a name or index; default the first) in ``sample``.

    ``input_names`` name the input features; ``marker`` is the feature marking the steps that matter (an index, or
    a name in ``input_names``; default the feature named "marker", if any). ``columns``: draw at most that many columns
    (:meth:`ConveyorView.fitting`); default every step. A ValueError if the trace's c is not
    f·c_prev + i·g at every step (masked steps, a layer run backwards).
    """
    layer_trace = select_layer(trace, layer)
    if layer_trace.kind not in KINDS:
        raise ValueError(f"layer: the conveyor belt is an LSTM's cell state; {layer_trace.name!r} is a "
                         f"{layer_trace.kind}, expected one of {', '.join(KINDS)}")
    sample = check_sample(layer_trace, sample)
    unit = check_int("unit", unit, 0, layer_trace.units - 1, f"layer {layer_trace.name!r} has {layer_trace.units} units")
    if layer_trace.go_backwards or not layer_trace.mask[sample].all():
        raise ValueError(f"layer: {layer_trace.name!r} runs backwards or skips masked steps in sample {sample}; the belt "
                         "runs forward through every step")
    inputs = np.asarray(layer_trace.inputs[sample], float)
    names = tuple(input_names) if input_names is not None else tuple(f"x{k}" for k in range(inputs.shape[-1]))
    if len(names) != inputs.shape[-1]:
        raise ValueError(f"input_names: expected one name per input feature ({inputs.shape[-1]}), got {len(names)}")
    marker = _marker(marker, names)
    gate = {name: np.asarray(layer_trace.gates[name][sample, :, unit], float)
            for name in ("forget", "input", "candidate")}
    c = np.asarray(layer_trace.states["c"][sample, :, unit], float)
    initial = layer_trace.initial_states.get("c") if layer_trace.initial_states else None
    start = float(initial[sample, unit]) if initial is not None else 0.0
    previous = np.concatenate([[start], c[:-1]])
    expected = gate["forget"] * previous + gate["input"] * gate["candidate"]
    off = np.abs(expected - c)
    if not off.max() <= TOLERANCE * max(1.0, float(np.abs(c).max())):
        step = int(np.argmax(off))
        raise ValueError(f"trace: layer {layer_trace.name!r}'s c at step {step} is {c[step]:.6f}, not f·c_prev + i·g = "
                         f"{expected[step]:.6f}")
    marked = inputs[:, marker] != 0 if marker is not None else np.zeros(len(c), bool)
    belt = state_scale(np.concatenate([[start], c, gate["forget"] * previous, gate["input"] * gate["candidate"]]))
    activation = layer_trace.config.get("activation", "tanh")
    candidate_scale = gate_scale("candidate", activation, gate["candidate"])
    view = ConveyorView(layer_trace.name, layer_trace.kind, unit, sample, inputs, names, marked, gate["forget"],
                        gate["input"], gate["candidate"], previous, c,
                        np.asarray(layer_trace.states["h"][sample, :, unit], float), belt, candidate_scale,
                        tuple(range(len(c))), marker)
    return view if columns is None else view.fitting(columns)


def valve_boxes(x: float, y: float, width: float, height: float, opening: float, *, vertical: bool) -> list:
    """A valve of ``opening`` (0 shut … 1 open) centred at (x, y): its frame and two flaps closing it from both ends
    (``vertical``: from above and below), each (1 − opening)/2 of its length, as ``(x0, x1, y0, y1)`` boxes."""
    shut = (1 - float(opening)) / 2
    x0, x1, y0, y1 = x - width / 2, x + width / 2, y - height / 2, y + height / 2
    if vertical:
        return [(x0, x1, y0, y1), (x0, x1, y1 - shut * height, y1), (x0, x1, y0, y0 + shut * height)]
    return [(x0, x1, y0, y1), (x0, x0 + shut * width, y0, y1), (x1 - shut * width, x1, y0, y1)]


def lesson_view(kind: str = "LSTM", *, trace=None) -> tuple:
    """``(view, what it shows)``: the lesson ``gates``' model ``kind`` ("LSTM" or "PeepholeLSTM") on the sequence its
    pictures show (held-out sample 0; its memory unit); default its shipped trace (no TensorFlow)."""
    from rnnviz import lessons
    from rnnviz.errors import InputError
    from rnnviz.kinds import CELL_KINDS
    from rnnviz.lessons import gates

    if kind not in gates.LSTMS:
        raise InputError(f"kind: expected one of {', '.join(gates.LSTMS)} (a cell with a forget and an input gate), "
                         f"got {kind!r}")
    trace = lessons.trace("gates", kind) if trace is None else trace
    unit = int(lessons.results("gates")[f"memory_unit_{kind}"])
    title = CELL_KINDS[gates.LAYER_NAMES[kind]].title
    shows = f"The trained {title} of the lesson gates, {gates.shown_task()}"
    return conveyor_view(trace, sample=0, unit=unit, input_names=gates.INPUT_NAMES), shows


def _columns(steps) -> list:
    """The columns drawing ``steps``: each step, a gap (None) for each run of steps left out before or between."""
    steps, columns = sorted(steps), []
    for before, step in zip([-1, *steps], steps):
        columns += [None, step] if step > before + 1 else [step]
    return columns


def _marker(marker, names):
    if marker is None:
        return names.index("marker") if "marker" in names else None
    if isinstance(marker, str):
        if marker not in names:
            raise ValueError(f"marker: expected one of the input names {list(names)}, got {marker!r}")
        return names.index(marker)
    return check_int("marker", marker, 0, len(names) - 1, f"the input has {len(names)} features")


def _before(columns, position) -> int:
    """The step drawn before column ``position`` (−1: none)."""
    return next((step for step in reversed(columns[:position]) if step is not None), -1)


def _after(columns, position, steps) -> int:
    """The step drawn after column ``position`` (``steps``: none)."""
    return next((step for step in columns[position + 1:] if step is not None), steps)


def _number(value, *, sign: bool = False) -> str:
    """A value at 2 places, with a true minus sign (and a plus, ``sign``)."""
    value = round(float(value), 2) + 0.0  # no "−0.00"
    return f"{value:{'+' if sign else ''}.2f}".replace("-", "−")
