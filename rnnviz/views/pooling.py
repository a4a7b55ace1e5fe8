"""What the "pooling forgets order" picture shows: two sequences, a Conv1D's feature maps of each, and their
global max- and average-pooled features.

The two sequences hold the same two patterns in opposite orders, apart by enough flat steps that no window
of the convolution sees both: every window of one is a window of the other, so the feature maps hold the
same columns in another order and any global pooling gives the same features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.errors import InputError, check_int
from rnnviz.views.scales import ColourScale, state_scale

PEAK = (1.0, 2.0, 1.0)
DIP = (-1.0, -2.0, -1.0)
SHOWN_DIGITS = 2  # pooled features and feature maps are written with this many decimals (fewer where cells are narrow)


def swapped_patterns(first=PEAK, second=DIP, *, kernel_size: int = 3, stride: int = 1) -> np.ndarray:
    """(2, steps): ``first`` then ``second`` on a flat 0, and the same two in the other order.

    Zeros pad each pattern (at least ``kernel_size − 1`` either side, so no window sees both patterns or an edge
    and a pattern), and every pattern starts on the same phase of the ``stride``: the two sequences' windows are
    the same windows, in another order. The patterns must be as long as each other, modulo ``stride``.
    """
    kernel_size, stride = check_int("kernel_size", kernel_size, 1), check_int("stride", stride, 1)
    first, second = (np.asarray(pattern, dtype=float).ravel() for pattern in (first, second))
    if not first.size or not second.size:
        raise InputError(f"first, second: expected two non-empty patterns, got lengths {first.size} and {second.size}")
    if (first.size - second.size) % stride:
        raise InputError(f"second: expected a pattern as long as first ({first.size}) modulo stride {stride}, so "
                         f"both start on the same phase of the stride in either order; got {second.size} values")
    edge = kernel_size - 1
    gap = edge + (-(first.size + edge)) % stride  # the second pattern starts on the first one's phase of the stride
    # the trailing zeros: at least ``edge``, and as many more as make the last window end at the last step
    tail = edge + (-(edge + first.size + gap + second.size + edge - kernel_size)) % stride
    zeros = np.zeros
    return np.stack([np.concatenate([zeros(edge), first, zeros(gap), second, zeros(tail)]),
                     np.concatenate([zeros(edge), second, zeros(gap), first, zeros(tail)])])


@dataclass(frozen=True)
class PoolingView:
    """Two sequences through one Conv1D and global pooling.

    Parameters
    ----------
    sequences : (2, steps)
    names : two str, what each sequence is
    feature_maps : (2, positions, filters), the Conv1D's outputs
    max_pooled, average_pooled : (2, filters), GlobalMaxPooling1D's and GlobalAveragePooling1D's
    kernel_size, stride : int, the Conv1D's (to place each output under the steps it reads)
    filters : tuple of int, the filters drawn (all are pooled and compared)
    scale : ColourScale of the feature maps and the pooled features (one for both)
    description : str
    """

    sequences: np.ndarray
    names: tuple
    feature_maps: np.ndarray
    max_pooled: np.ndarray
    average_pooled: np.ndarray
    kernel_size: int
    stride: int
    filters: tuple
    scale: ColourScale
    description: str = ""

    @property
    def largest_difference(self) -> float:
        """The largest difference between the two sequences' pooled features, over every filter, max and average."""
        return float(max(np.abs(np.diff(self.max_pooled, axis=0)).max(),
                         np.abs(np.diff(self.average_pooled, axis=0)).max()))

    def window_centres(self) -> np.ndarray:
        """The middle input step each feature-map position reads."""
        return self.stride * np.arange(self.feature_maps.shape[1]) + (self.kernel_size - 1) / 2

    def text(self, value, digits: int = SHOWN_DIGITS) -> str:
        """A value as written on the figure: "0" for exactly 0 (a ReLU's zero), else with ``digits`` decimals."""
        if value == 0:
            return "0"
        return f"{float(value):.{digits}f}".replace("-", "−")


def pooling_view(sequences, feature_maps, max_pooled, average_pooled, *, kernel_size: int, stride: int = 1,
                 names=("first", "second"), filters: int = 3, description: str = "") -> PoolingView:
    """A :class:`PoolingView`, drawing the ``filters`` filters whose pooled features are largest (checked shapes).

    filters: how many filters to draw, or a sequence of filter indices.
    """
    sequences, feature_maps = np.asarray(sequences, float), np.asarray(feature_maps, float)
    max_pooled, average_pooled = np.asarray(max_pooled, float), np.asarray(average_pooled, float)
    if sequences.ndim != 2 or len(sequences) != 2:
        raise InputError(f"sequences: expected two sequences, (2, steps), got shape {sequences.shape}")
    kernel_size, stride = check_int("kernel_size", kernel_size, 1), check_int("stride", stride, 1)
    positions = (sequences.shape[1] - kernel_size) // stride + 1
    if feature_maps.ndim != 3 or feature_maps.shape[:2] != (2, positions):
        raise InputError(f"feature_maps: expected (2, {positions}, filters) for {sequences.shape[1]} steps, kernel "
                         f"{kernel_size}, stride {stride} (padding \"valid\"), got shape {feature_maps.shape}")
    count = feature_maps.shape[2]
    for name, pooled in (("max_pooled", max_pooled), ("average_pooled", average_pooled)):
        if pooled.shape != (2, count):
            raise InputError(f"{name}: expected (2, {count}), one feature per filter, got shape {pooled.shape}")
    if len(names) != 2:
        raise InputError(f"names: expected one name per sequence (2), got {len(names)}")
    if isinstance(filters, (int, np.integer)):
        filters = check_int("filters", filters, 1, count, f"the Conv1D has {count} filters")
        strongest = np.argsort(-max_pooled.max(axis=0), kind="stable")[:filters]
        filters = tuple(int(index) for index in np.sort(strongest))
    else:
        filters = tuple(check_int("filters", index, 0, count - 1, f"the Conv1D has {count} filters")
                        for index in filters)
    shown = np.concatenate([feature_maps[..., filters].ravel(), max_pooled[:, filters].ravel(),
                            average_pooled[:, filters].ravel()])
    return PoolingView(sequences=sequences, names=tuple(str(name) for name in names), feature_maps=feature_maps,
                       max_pooled=max_pooled, average_pooled=average_pooled, kernel_size=kernel_size, stride=stride,
                       filters=filters, scale=state_scale(shown), description=description)
