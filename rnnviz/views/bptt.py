"""What a backpropagation-through-time picture shows: one held-out sequence's chain, walked back from the answer.

Each drawn arrow is one step's Jacobian ``∂s_t/∂s_{t−1}`` (its Frobenius norm written on it); under each drawn
cell, the answer's error signal ``‖∂ŷ/∂s_t‖`` that has arrived there, the running product ``‖∂h_T/∂h_t‖``
(:func:`rnnviz.gradient_profile`) and the product of the arrows' norms crossed so far, which bounds it. The
numbers are the lesson ``memory``'s (:func:`rnnviz.lessons.memory.measure_bptt`). The last few steps are drawn
one by one, then a gap of many steps to the step of the first marked number, 100 steps back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.diagrams.unrolled import SUPERSCRIPTS
from rnnviz.kinds import CELL_KINDS, kind_of_class

HEADING = "Backpropagation through time: one Jacobian per step"  # the figure's and the video's title
WINDOW = 5  # the last steps drawn one by one
ARROWS = "on each arrow: ‖J‖,\nJ = ∂s_t / ∂s_t−1"  # what the numbers on the arrows are
ROWS = {  # the numbers under each cell: key -> what the row is called on the picture
    "signal": "error signal\n‖∂ŷ / ∂s_t‖",
    "product": "the product\n‖∂h_T / ∂h_t‖",
    "bound": "∏ ‖J‖ crossed\n(≥ the product)",
}


@dataclass(frozen=True)
class BPTTChain:
    """One cell's numbers along the sequence, in input time order (``T + 1`` steps).

    ``step_norms[t]``: ``‖∂s_t/∂s_{t−1}‖_F``; ``product[t]``: ``‖∂h_T/∂h_t‖_F``; ``signal[t]``: ``‖∂ŷ/∂s_t‖``.
    """

    label: str
    kind: str
    step_norms: np.ndarray
    product: np.ndarray
    signal: np.ndarray

    @property
    def state(self) -> str:
        """What ``s`` is: ``"h"``, or ``"(h, c)"`` for a cell with more than one state."""
        states = CELL_KINDS[self.kind].states
        return states[0] if len(states) == 1 else f"({', '.join(states)})"

    def bound(self) -> np.ndarray:
        """``∏_{k>t} ‖∂s_k/∂s_{k−1}‖`` for every t (NaN at the last step, where the product is the identity)."""
        return np.concatenate([np.cumprod(self.step_norms[:0:-1])[::-1], [np.nan]])

    def numbers(self, t: int) -> dict:
        """The numbers under the cell of step ``t``, written (row key -> text)."""
        bound = self.bound()[t]
        return {"signal": written(self.signal[t]), "product": written(self.product[t]),
                "bound": "—" if np.isnan(bound) else written(bound)}

    def arrow(self, source: int, target: int) -> str:
        """What the arrow from cell ``target`` back to cell ``source`` says: its Jacobian's norm, or how many."""
        if target - source == 1:
            return written(self.step_norms[target])
        crossed = self.step_norms[source + 1: target + 1]
        return f"{target - source} steps,\n‖J‖ {crossed.min():.1f}–{crossed.max():.1f}"


@dataclass(frozen=True)
class BPTTView:
    """The chains (one per cell) of one sequence, the steps drawn and the order the signal visits them.

    ``drawn``: the input times of the drawn cells, ascending (the first marked number's step, then the last
    :data:`WINDOW`); ``last``: T.
    """

    chains: tuple
    drawn: tuple
    last: int
    sequence: int

    @property
    def visits(self) -> tuple:
        """The drawn steps in the order the error signal reaches them: T first."""
        return self.drawn[::-1]

    def steps_back(self, t: int) -> int:
        return self.last - t

    def step_label(self, t: int) -> str:
        back = self.steps_back(t)
        return "t = T" if back == 0 else f"t = T−{back}"

    def arrows(self) -> list:
        """``(source, target)`` of every drawn arrow (the signal crosses it from ``target`` to ``source``)."""
        return list(zip(self.drawn[:-1], self.drawn[1:]))

    def slot(self, t: int) -> float:
        """Where the cell of step ``t`` stands, left to right in cell widths: each gap of steps takes one more."""
        index = self.drawn.index(t)
        return float(index + sum(b - a > 1 for a, b in zip(self.drawn[:index], self.drawn[1:index + 1])))

    def step_name(self, visit: int) -> str:
        """The name of the ``visit``-th step of the walk back (a video's section)."""
        t = self.visits[visit]
        back = self.steps_back(t)
        if back == 0:
            return "the answer's error signal at the last step"
        return f"{back} step{'s' * (back != 1)} back" + (" (the first marked number)" if t == self.drawn[0] else "")


def bptt_view(results: dict, *, sequence: int = 0, window: int = WINDOW, models=None) -> BPTTView:
    """The :class:`BPTTView` of held-out sequence ``sequence`` (of the measured ones) from the lesson ``memory``'s
    ``results`` (``bptt_*`` arrays, see :func:`rnnviz.lessons.memory.measure_bptt`)."""
    from rnnviz.errors import check_int

    models = models or [key.removeprefix("bptt_product_") for key in results if key.startswith("bptt_product_")]
    check_int("sequence", sequence, low=0, high=len(results["bptt_rows"]) - 1,
              context=f"the lesson measured {len(results['bptt_rows'])} sequences")

    def numbers(key, name):
        return np.asarray(results[f"bptt_{key}_{name}"][sequence], float)

    chains = tuple(BPTTChain(label=name, kind=kind_of_class(name), step_norms=numbers("step_norm", name),
                             product=numbers("product", name), signal=numbers("signal", name)) for name in models)
    last = len(chains[0].product) - 1
    check_int("window", window, low=1, high=last - 1, context=f"the sequences have {last + 1} steps")
    drawn = (0, *range(last - window + 1, last + 1))
    return BPTTView(chains=chains, drawn=drawn, last=last, sequence=int(results["bptt_rows"][sequence]))




def written(value: float) -> str:
    """A positive number as a slide writes it: three figures, ``1.59×10⁻⁴`` below 0.01 or from 1000 on."""
    if value == 0 or 0.01 <= abs(value) < 1000:
        return f"{value:.3g}"
    exponent = int(np.floor(np.log10(abs(value))))
    mantissa = value / 10.0**exponent
    if round(mantissa, 2) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.2f}×10{str(exponent).translate(SUPERSCRIPTS)}"
