"""Values a picture cannot show as a colour or a height: NaN, infinite and exploding ones, found and reported.

Every view marks them (``bad``) so that each painter draws them marked, never as a
silently blank or washed-out colour; :func:`symmetric_limit` leaves them out of scales.
"""

from __future__ import annotations

import warnings

import numpy as np

EXPLODING_THRESHOLD = 1e6
"""Magnitude beyond which a finite value counts as exploding (states are otherwise unbounded)."""

_SHOWN_PLACES = 5


class NonFiniteValuesWarning(RuntimeWarning):
    """Some values to draw are NaN, infinite or exploding; they are drawn marked, not as colours."""


def bad_values(values, *, name: str, dims=None, coords=None, threshold: float | None = EXPLODING_THRESHOLD,
               what="marked ×", warn: bool = True, stacklevel: int = 3) -> np.ndarray:
    """Where ``values`` are NaN, infinite or ``|value| > threshold``; warn once (which array, how many, where).

    Parameters
    ----------
    values : array-like
    name : str
        What the array is, for the warning (e.g. ``"lstm: forget gate, sample 0"``).
    dims : sequence of str, optional
        A name for each axis of ``values`` (e.g. ``("unit", "step")``), to say where.
    coords : sequence of (sequence or None), optional
        For each axis, the label of each index (e.g. the unit numbers of chosen
        columns); None or a missing entry: the index itself.
    threshold : float or None
        Finite values beyond this magnitude count as exploding; None: only non-finite ones.
    what : str
        How the bad values are drawn, for the warning.

    Returns
    -------
    ndarray of bool, shaped like ``values``
    """
    values = np.asarray(values, dtype=float)
    nonfinite = ~np.isfinite(values)
    exploding = np.zeros_like(nonfinite)
    if threshold is not None:
        with np.errstate(invalid="ignore"):
            exploding = np.isfinite(values) & (np.abs(values) > threshold)
    bad = nonfinite | exploding
    if warn and bad.any():
        warnings.warn(_report(values, bad, exploding, name, dims, coords, threshold, what), NonFiniteValuesWarning,
                      stacklevel=stacklevel)
    return bad


def symmetric_limit(values, *, threshold=EXPLODING_THRESHOLD, floor: float = 1e-12) -> float:
    """The largest magnitude among the good values (finite, within ``threshold``), for a scale centred at 0.

    1.0 when no value is good or all are 0, so the scale is never empty.
    """
    values = np.asarray(values, dtype=float)
    good = values[~bad_values(values, name="", threshold=threshold, warn=False)]
    limit = float(np.abs(good).max()) if good.size else 0.0
    return limit if limit > floor else 1.0


def _report(values, bad, exploding, name, dims, coords, threshold, what) -> str:
    counts = []
    for label, count in (
        ("NaN", int(np.isnan(values).sum())),
        ("infinite", int(np.isinf(values).sum())),
        (f"exploding (|value| > {threshold:g})", int(exploding.sum())),
    ):
        if count:
            counts.append(f"{count} {label}")
    dims = tuple(dims) if dims is not None else tuple(f"axis {axis}" for axis in range(values.ndim))
    coords = list(coords or []) + [None] * values.ndim
    places = np.argwhere(bad)
    described = ", ".join(
        "(" + ", ".join(f"{dim} {index if coords[axis] is None else coords[axis][index]}"
                        for axis, (dim, index) in enumerate(zip(dims, place))) + ")"
        for place in places[:_SHOWN_PLACES]
    )
    if len(places) > _SHOWN_PLACES:
        described += f" and {len(places) - _SHOWN_PLACES} more"
    return (
        f"{name}: {' and '.join(counts)} of {values.size} values; drawn as {what}, "
        f"left out of the colour scale; at {described or '(a scalar)'}"
    )
