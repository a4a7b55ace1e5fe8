"""Forecasting a series from windows: baselines, Keras models, training and the MAE table.

``import rnnviz.forecasting`` imports no TensorFlow; building or training a model loads Keras.

Example::

    from rnnviz.data import synthetic_series
    from rnnviz.data.windows import make_windows
    from rnnviz.forecasting import train_models

    series = synthetic_series()
    results = train_models(make_windows(series, input_steps=40, horizon=5), period=series.period, progress=print)
    print(results.table())
"""

from rnnviz.forecasting.baselines import naive, seasonal_naive
from rnnviz.forecasting.evaluate import ForecastResults, train_models
from rnnviz.forecasting.models import (
    BASELINES,
    MODELS,
    ModelSpec,
    conv1d,
    deep_rnn,
    gru,
    linear,
    lstm,
    model_spec,
    recurrent,
    seq2seq,
    simple_rnn,
    title,
)

__all__ = [
    "BASELINES",
    "MODELS",
    "ForecastResults",
    "ModelSpec",
    "conv1d",
    "deep_rnn",
    "gru",
    "linear",
    "lstm",
    "model_spec",
    "naive",
    "recurrent",
    "seasonal_naive",
    "seq2seq",
    "simple_rnn",
    "title",
    "train_models",
]
