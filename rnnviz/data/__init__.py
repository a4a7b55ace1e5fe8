"""Time series for the forecasting lectures: synthetic series with known components, and real ones.

Real series and :func:`decompose` need statsmodels (the ``data`` extra), and the
windows (:func:`make_windows`, the TensorFlow Data API) TensorFlow, each imported on first use.
"""

from rnnviz.data.real import RealSeries, co2_weekly, decompose, elnino_monthly, sunspots
from rnnviz.data.synthetic import SeriesComponents, synthetic_series
from rnnviz.data.windows import Windows, make_windows

__all__ = [
    "RealSeries", "SeriesComponents", "Windows", "co2_weekly", "decompose", "elnino_monthly", "make_windows", "sunspots",
    "synthetic_series",
]
