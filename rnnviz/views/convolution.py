"""What the convolution pictures show from the lesson ``forecasting``'s measured Conv1D: one filter sliding over a
window (the video), and the filters that answer a bump at two times (the translation figure); their colour scales."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.views.scales import ColourScale, state_scale


@dataclass(frozen=True)
class SlidingView:
    """One filter of a Conv1D on one input: ``input`` (steps,), its ``kernel`` (size,), ``bias``, its ``output``
    (positions,) as Keras computed it, ``stride``, ``size``; ``filter`` (its index of ``filters``); ``scale`` the
    outputs' colour scale."""

    input: np.ndarray
    kernel: np.ndarray
    bias: float
    output: np.ndarray
    stride: int
    size: int
    filter: int
    filters: int
    scale: ColourScale

    def reads(self, position: int) -> np.ndarray:
        """The input values output ``position`` reads."""
        first = position * self.stride
        return self.input[first:first + self.size]

    def total(self, position: int) -> float:
        """Σ w·x + b at output ``position``, before the activation."""
        return float(np.dot(self.kernel, self.reads(position)) + self.bias)


def sliding_view(results) -> SlidingView:
    """The filter most active on the measured window (``convolution_*`` results of the lesson ``forecasting``)."""
    outputs = np.asarray(results["convolution_output"], float)
    chosen = int(np.argmax(outputs.sum(axis=0)))
    return SlidingView(input=np.asarray(results["convolution_input"], float).reshape(-1),
                       kernel=np.asarray(results["convolution_kernel"], float)[:, 0, chosen],
                       bias=float(np.asarray(results["convolution_bias"], float)[chosen]), output=outputs[:, chosen],
                       stride=int(results["pooling_stride"]), size=int(results["pooling_kernel_size"]),
                       filter=chosen, filters=outputs.shape[1], scale=state_scale(outputs[:, chosen]))


@dataclass(frozen=True)
class TranslationView:
    """Sequences ``inputs`` (sequences, steps) and a Conv1D's ``outputs`` (sequences, positions, filters); the
    ``filters`` drawn (those that move furthest from their value on flat input) and their one colour ``scale``."""

    inputs: np.ndarray
    outputs: np.ndarray
    stride: int
    kernel_size: int
    filters: np.ndarray
    scale: ColourScale


def translation_view(inputs, outputs, *, stride: int, kernel_size: int, filters: int = 3) -> TranslationView:
    inputs, outputs = np.asarray(inputs, float), np.asarray(outputs, float)
    if inputs.ndim != 2 or outputs.ndim != 3 or len(inputs) != len(outputs):
        raise ValueError(f"inputs, outputs: expected (sequences, steps) and (sequences, positions, filters), got "
                         f"{inputs.shape} and {outputs.shape}")
    answered = np.abs(outputs - outputs[:, :1]).max(axis=(0, 1))  # how far each filter moves off its rest
    chosen = np.sort(np.argsort(answered)[::-1][:filters])
    return TranslationView(inputs, outputs, int(stride), int(kernel_size), chosen, state_scale(outputs[..., chosen]))
