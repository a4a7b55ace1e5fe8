"""What gradient clipping does to one gradient: Keras 3's ``clipnorm``, ``global_clipnorm`` and ``clipvalue`` in NumPy.

A gradient is one array per variable (Keras's ``model.trainable_variables`` order). Keras 3's optimizers clip it
before the update (``keras.optimizers.Optimizer``; checked against Keras in ``tests/test_clipping_vectors.py``):

- ``global_clipnorm=t``: the whole gradient times ``t / max(‖g‖, t)``: its direction kept exactly;
- ``clipnorm=t``: each variable's part ``g_i`` times ``t / max(‖g_i‖, t)``: each part keeps its direction, but
  parts cut by different factors turn the whole gradient;
- ``clipvalue=t``: each element cut to ``[-t, t]``: the direction turns.

Each clipped vector ``v`` is placed in the plane through ``g`` and ``v`` (x along ``g``, y across it, towards
``v``): two vectors span at most a plane, so its length and its angle to ``g`` are drawn as they are in all
dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.diagrams.unrolled import SUPERSCRIPTS
from rnnviz.errors import InputError, check_number

OPTIONS = ("global_clipnorm", "clipnorm", "clipvalue")
WHAT_IS_CLIPPED = {"global_clipnorm": "the whole gradient", "clipnorm": "each variable",
                   "clipvalue": "each element"}


def clip(gradients, option: str, threshold: float) -> list:
    """``gradients`` (one array per variable) clipped as a Keras 3 optimizer with ``option=threshold`` clips them."""
    threshold = _threshold(threshold)
    parts = [np.asarray(part, float) for part in gradients]
    if option == "global_clipnorm":
        factor = threshold / max(_norm(parts), threshold)
        return [part * factor for part in parts]
    if option == "clipnorm":
        return [part * (threshold / max(_norm([part]), threshold)) for part in parts]
    if option == "clipvalue":
        return [np.clip(part, -threshold, threshold) for part in parts]
    raise InputError(f"option: expected one of {', '.join(OPTIONS)}, got {option!r}")


def plane_basis(g, v) -> np.ndarray:
    """``(2, n)``: an orthonormal basis of the plane through ``g`` and ``v``: ``g``'s direction, then ``v``'s part
    across it (if ``v`` lies on ``g``'s line, the coordinate axis least along ``g``, made orthogonal to it)."""
    g, v = np.asarray(g, float), np.asarray(v, float)
    along = g / np.linalg.norm(g)
    across = v - (v @ along) * along
    if np.linalg.norm(across) <= 1e-12 * max(np.linalg.norm(v), 1e-300):
        across = np.eye(len(g))[np.argmin(np.abs(along))]
        across = across - (across @ along) * along
    return np.stack([along, across / np.linalg.norm(across)])


@dataclass(frozen=True)
class ClippedVector:
    """One clipping option applied to the gradient ``g``.

    ``xy``: the clipped vector in the plane through ``g`` and it (x along ``g``, y ≥ 0 across), ``norm`` and
    ``cosine`` / ``angle`` (degrees) to ``g`` in all dimensions; ``clipped`` of ``parts`` were cut (elements for
    clipvalue, variables for clipnorm, the whole gradient for global_clipnorm).
    """

    option: str
    threshold: float
    vector: np.ndarray
    xy: np.ndarray
    norm: float
    cosine: float
    angle: float
    clipped: int
    parts: int

    @property
    def setting(self) -> str:
        """As Keras's optimizer argument: ``"clipnorm=1"``."""
        return f"{self.option}={scientific(self.threshold, zeros=False)}"

    @property
    def note(self) -> str:
        """What was cut, in words."""
        if self.option == "global_clipnorm":
            return "cut" if self.clipped else "not cut"
        return f"{self.clipped} of {self.parts} cut"


@dataclass(frozen=True)
class ClippingView:
    """A gradient (flattened in Keras's variable order) and each clipping option's result."""

    names: tuple
    sizes: tuple
    threshold: float
    gradient: np.ndarray
    norm: float
    vectors: dict  # option -> ClippedVector, in OPTIONS' order


def clipping_view(gradients: dict, threshold: float) -> ClippingView:
    """Clip ``gradients`` (variable name -> array, in Keras's order) at ``threshold`` every way Keras can."""
    threshold = _threshold(threshold)
    if not gradients:
        raise InputError("gradients: expected one array per variable, got none")
    parts = [np.asarray(part, float) for part in gradients.values()]
    g = np.concatenate([part.ravel() for part in parts])
    if not np.isfinite(g).all() or not g.any():
        raise InputError("gradients: expected finite numbers, not all zero (a direction to clip), "
                         f"got {np.count_nonzero(~np.isfinite(g))} non-finite of {g.size}")
    norm = float(np.linalg.norm(g))
    vectors = {}
    for option in OPTIONS:
        clipped_parts = clip(parts, option, threshold)
        v = np.concatenate([part.ravel() for part in clipped_parts])
        cosine = float(np.clip(v @ g / (np.linalg.norm(v) * norm), -1.0, 1.0))
        vectors[option] = ClippedVector(option, threshold, v, plane_basis(g, v) @ v, float(np.linalg.norm(v)),
                                        cosine, float(np.degrees(np.arccos(cosine))),
                                        *_cut(option, parts, clipped_parts, threshold))
    return ClippingView(tuple(gradients), tuple(part.size for part in parts), threshold, g, norm, vectors)


def _cut(option, parts, clipped_parts, threshold) -> tuple:
    """``(cut, of)``: how many elements, variables or wholes the option cut."""
    if option == "clipvalue":
        flat = np.concatenate([part.ravel() for part in parts])
        return int(np.count_nonzero(np.abs(flat) > threshold)), flat.size
    if option == "clipnorm":
        return sum(_norm([part]) > threshold for part in parts), len(parts)
    return int(_norm(parts) > threshold), 1


def _norm(parts) -> float:
    return float(np.sqrt(sum(np.sum(np.square(part)) for part in parts)))


def _threshold(threshold) -> float:
    value = check_number("threshold", threshold, context="a clipping threshold")
    if value <= 0:
        raise InputError(f"threshold: a clipping threshold; expected a number > 0, got {threshold!r}")
    return value


def scientific(value: float, digits: int = 3, *, zeros: bool = True) -> str:
    """``value`` with ``digits`` significant digits (trailing zeros kept if ``zeros``: "17.0"), powers of ten as
    ``×10⁷`` (plain from 0.01 to 10⁴)."""
    if value == 0 or 1e-2 <= abs(value) < 1e4:
        return f"{value:{'#' if zeros else ''}.{digits}g}".rstrip(".")
    exponent = int(np.floor(np.log10(abs(value))))
    mantissa = value / 10**exponent
    if round(abs(mantissa), digits - 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    superscript = str(exponent).translate(SUPERSCRIPTS)
    shown = f"{mantissa:.{digits - 1}f}"
    return f"{shown.rstrip('0').rstrip('.') if not zeros else shown}×10{superscript}"
