"""Tick locators whose labels fit the axes they are on, at any slide size."""

from __future__ import annotations

import matplotlib as mpl
from matplotlib import ticker
from matplotlib.font_manager import FontProperties

DIGIT = 0.62  # the width of a digit, in ems (DejaVu Sans: 0.636)
GAP = 1.5  # ems between two neighbouring tick labels


def labels_that_fit(inches: float, characters: int, points: float) -> int:
    """How many tick labels of ``characters`` digits at ``points`` fit side by side, apart, in ``inches``."""
    return max(1, int(inches * 72 / (points * (DIGIT * characters + GAP))))


def tick_points() -> float:
    """The current rcParams' x tick label size, in points."""
    return FontProperties(size=mpl.rcParams["xtick.labelsize"]).get_size_in_points()


class FittingStepLocator(ticker.MaxNLocator):
    """Integer ticks on an x axis, at most ``most`` of them, and only as many as leave their labels apart (labels in
    the rcParams' x tick size when the locator is made: with the figure, inside its style context)."""

    def __init__(self, most: int = 6):
        super().__init__(nbins=most, integer=True)
        self.most = most
        self.points = tick_points()  # as the figure is made

    def __call__(self):
        axes = self.axis.axes
        low, high = self.axis.get_view_interval()
        digits = max(len(f"{round(value):d}") for value in (low, high))
        self.set_params(nbins=min(self.most, labels_that_fit(axes.bbox.width / axes.figure.dpi, digits, self.points)))
        return super().__call__()
