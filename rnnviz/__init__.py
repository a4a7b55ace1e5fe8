"""rnnviz: teach recurrent neural networks with the real numbers of a real Keras model.

``import rnnviz`` imports no TensorFlow. The recording side (:func:`record`,
:mod:`rnnviz.layers`) loads Keras on first use; everything that reads a saved
trace works without it.
"""

from __future__ import annotations

import importlib

from rnnviz.errors import InputError, RnnvizError, TraceFileError, UnknownLayerError, UnsupportedModelError
from rnnviz.kinds import CELL_KINDS, CellKind
from rnnviz.profile import GradientProfile, load_profile
from rnnviz.trace import LayerTrace, ModelTrace, load

__version__ = "0.1.0"

# Names loaded when first used (Keras, or matplotlib): name -> (module, attribute or None for the module).
_LAZY = {
    "record": ("rnnviz.recording.dispatch", "record"),
    "gradient_profile": ("rnnviz.recording.dispatch", "gradient_profile"),
    "step_jacobian_norms": ("rnnviz.recording.gradients", "step_jacobian_norms"),
    "layers": ("rnnviz.layers", None),
    "GradientDecayDisplay": ("rnnviz.figures.gradient_decay", "GradientDecayDisplay"),
    "SpectralRadiusDisplay": ("rnnviz.figures.spectral_radius", "SpectralRadiusDisplay"),
    "MemoryHeatmapDisplay": ("rnnviz.figures.memory", "MemoryHeatmapDisplay"),
    "BPTTDisplay": ("rnnviz.figures.bptt", "BPTTDisplay"),
    "AgreementSentenceDisplay": ("rnnviz.figures.agreement", "AgreementSentenceDisplay"),
    "AgreementAccuracyDisplay": ("rnnviz.figures.agreement", "AgreementAccuracyDisplay"),
    "ClippingDisplay": ("rnnviz.figures.clipping", "ClippingDisplay"),
    "ClippingVectorsDisplay": ("rnnviz.figures.clipping_vectors", "ClippingVectorsDisplay"),
    "LongRangeMemoryDisplay": ("rnnviz.figures.long_range", "LongRangeMemoryDisplay"),
    "AnswerGradientDisplay": ("rnnviz.figures.long_range", "AnswerGradientDisplay"),
    "AnswerGradientMapDisplay": ("rnnviz.figures.long_range", "AnswerGradientMapDisplay"),
    "lessons": ("rnnviz.lessons", None),
    "UnrolledDisplay": ("rnnviz.figures.unrolled", "UnrolledDisplay"),
    "MemoryCellDisplay": ("rnnviz.figures.memory_cell", "MemoryCellDisplay"),
    "CellDisplay": ("rnnviz.figures.cell", "CellDisplay"),
    "ConveyorDisplay": ("rnnviz.figures.conveyor", "ConveyorDisplay"),
    "GateTimelineDisplay": ("rnnviz.figures.states", "GateTimelineDisplay"),
    "StateHeatmapDisplay": ("rnnviz.figures.states", "StateHeatmapDisplay"),
    "StateTrajectoriesDisplay": ("rnnviz.figures.states", "StateTrajectoriesDisplay"),
    "TextHeatmapDisplay": ("rnnviz.figures.text_heatmap", "TextHeatmapDisplay"),
    "diagrams": ("rnnviz.diagrams", None),
    "data": ("rnnviz.data", None),
    "OrderDisplay": ("rnnviz.figures.order", "OrderDisplay"),
    "DenseWindowDisplay": ("rnnviz.figures.dense_window", "DenseWindowDisplay"),
    "SeriesComponentsDisplay": ("rnnviz.figures.series", "SeriesComponentsDisplay"),
    "WindowingDisplay": ("rnnviz.figures.windowing", "WindowingDisplay"),
    "ReceptiveFieldDisplay": ("rnnviz.figures.convolution", "ReceptiveFieldDisplay"),
    "PoolingDisplay": ("rnnviz.figures.convolution", "PoolingDisplay"),
    "PipelineDisplay": ("rnnviz.figures.pipeline", "PipelineDisplay"),
    "TranslationDisplay": ("rnnviz.figures.translation", "TranslationDisplay"),
    "StrategiesDisplay": ("rnnviz.figures.strategies", "StrategiesDisplay"),
    "ForecastDisplay": ("rnnviz.figures.forecast", "ForecastDisplay"),
    "ForecastErrorsDisplay": ("rnnviz.figures.forecast", "ForecastErrorsDisplay"),
    "LearningCurvesDisplay": ("rnnviz.figures.forecast", "LearningCurvesDisplay"),
    "forecasting": ("rnnviz.forecasting", None),
}

__all__ = [
    "CELL_KINDS",
    "CellKind",
    "GradientProfile",
    "InputError",
    "LayerTrace",
    "ModelTrace",
    "RnnvizError",
    "TraceFileError",
    "UnknownLayerError",
    "UnsupportedModelError",
    "load",
    "load_profile",
    *_LAZY,
]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'rnnviz' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
