"""Two small Keras layers that make a forecaster work relative to "today" (see :mod:`rnnviz.forecasting.models`).

Importing this module registers them with Keras (package "rnnviz"), so saved models load.
"""

from __future__ import annotations

import keras

POSITIONS = ("last", "first")


@keras.saving.register_keras_serializable(package="rnnviz")
class ChangeFrom(keras.layers.Layer):
    """The window minus one of its own values: its last ("today") or its first; ``(batch, time, features)``."""

    def __init__(self, position: str = "last", **kwargs):
        super().__init__(**kwargs)
        if position not in POSITIONS:
            raise ValueError(f"position: expected one of {list(POSITIONS)}, got {position!r}")
        self.position = position

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

    def call(self, inputs):
        forecast, window = inputs
        if len(forecast.shape) == 3:
            return forecast + window
        return forecast + window[:, -1, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]
