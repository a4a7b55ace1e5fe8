"""Two small Keras layers that make a forecaster work relative to "today" (see :mod:`rnnviz.forecasting.models`).

Importing this module registers them with Keras (package "rnnviz"), so saved models load. Each says how a
diagram draws it (``drawn_as``: its name for a reader and the step it reads besides its own), which
:func:`rnnviz.diagrams.describe_model` stores with the model's architecture, so a trace draws it without Keras.
"""

from __future__ import annotations

import keras

POSITIONS = ("last", "first")
# How a diagram draws ChangeFrom, by position: what a reader calls its output, the step every step also reads and
# what that step is called.
CHANGE_DRAWN_AS = {"last": {"name": "x − today", "reference": "last", "reference_name": "today"},
                   "first": {"name": "x − first day", "reference": "first", "reference_name": "first day"}}


@keras.saving.register_keras_serializable(package="rnnviz")
class ChangeFrom(keras.layers.Layer):
    """The window minus one of its own values: its last ("today") or its first; ``(batch, time, features)``."""

    def __init__(self, position: str = "last", **kwargs):
        super().__init__(**kwargs)
        if position not in POSITIONS:
            raise ValueError(f"position: expected one of {list(POSITIONS)}, got {position!r}")
        self.position = position

    @property
    def drawn_as(self) -> dict:
        """How a diagram draws it: step t of the window minus its reference step (:data:`CHANGE_DRAWN_AS`)."""
        return CHANGE_DRAWN_AS[self.position]

    def call(self, window):
        reference = window[:, -1:, :] if self.position == "last" else window[:, :1, :]
        return window - reference

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "position": self.position}


@keras.saving.register_keras_serializable(package="rnnviz")
class AddBack(keras.layers.Layer):
    """Adds the window's values back to a forecast made relative to them.

    Called on ``[forecast, window]``: a ``(batch, horizon)`` forecast gets the window's last
    value; a ``(batch, time, horizon)`` one (a forecast at every step) gets each step's own value.
    """

    # How a diagram draws it: the forecast plus today (the window's last step; each step's own for a forecast at
    # every step), its values the forecast of 1 … horizon steps ahead.
    drawn_as = {"name": "+ today", "reference": "last", "reference_name": "today", "outputs": "steps ahead"}

    def call(self, inputs):
        forecast, window = inputs
        if len(forecast.shape) == 3:
            return forecast + window
        return forecast + window[:, -1, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]
