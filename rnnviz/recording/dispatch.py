"""``rnnviz.record`` and ``rnnviz.gradient_profile``: a PyTorch module goes to the PyTorch recorder, anything else to
the Keras one, and each imports only its own framework (recording a PyTorch module needs no TensorFlow)."""

from __future__ import annotations

from rnnviz.recording.pytorch import is_torch_module


def record(model, x, mask=None, *, allow_nonfinite=False, max_bytes=None):
    """Run ``model`` on ``x`` and record the states and gates of every recurrent layer.

    The model is not changed. Traced states equal what Keras's own layers return.

    Parameters
    ----------
    model : keras.Model or torch.nn.Module
        A built Sequential or functional Keras 3 model with SimpleRNN, LSTM, GRU,
        :class:`rnnviz.layers.PeepholeLSTM` or Bidirectional layers anywhere in it
        (or keras.layers.RNN around one of their cells, a cell of one's own, or StackedRNNCells of them);
        or a PyTorch module (:func:`rnnviz.recording.pytorch.record.record`; no TensorFlow).
    x : array-like, or a list of them for a model with several inputs
        A batch, shaped as the model's input (e.g. ``(batch, time, features)``,
        or ``(batch, time)`` token ids for an Embedding model).
    mask : array-like of bool, (batch, time), optional
        Passed to the model as its input mask (False = padding).
    allow_nonfinite : bool
        Record even if ``x`` holds NaN or infinity (otherwise an error).
    max_bytes : int, optional
        Refuse to record if the traces would need more memory than this;
        by default 80% of the memory available now.

    Returns
    -------
    ModelTrace
        One :class:`~rnnviz.LayerTrace` per recurrent layer in model order; two for
        a Bidirectional layer, named ``"<name>/forward"`` and ``"<name>/backward"``;
        one per cell of a StackedRNNCells, ``"<name>/layer1"``, ``"<name>/layer2"``, ...
    """
    if is_torch_module(model):
        from rnnviz.recording.pytorch.record import record as recorder
    else:
        from rnnviz.recording.record import record as recorder
    return recorder(model, x, mask, allow_nonfinite=allow_nonfinite, max_bytes=max_bytes)


def gradient_profile(model, x, layer=None, wrt="state", *, loss=None, y=None, mask=None, allow_nonfinite=False):
    """Measure ``||d h_T / d h_t||_F`` (or ``||d h_T / d x_t||_F``) for every step t of one layer.

    Parameters
    ----------
    model : keras.Model or torch.nn.Module
        As for :func:`rnnviz.record` (a PyTorch module: :mod:`rnnviz.recording.pytorch.gradients`).
    x : array-like
        A batch of inputs.
    layer : str, optional
        The recurrent layer: its name, or ``"<name>/forward"`` / ``"<name>/backward"``
        for a direction of a Bidirectional layer. Default: the first recurrent layer.
    wrt : ``"state"`` or ``"input"``
        Differentiate with respect to the state ``h_t`` or the layer's input ``x_t``.
    loss, y : Keras loss (name or object) and targets, optional
        Also compute ``dL / d h_t`` for every step: the gradient training sees,
        for ``L`` the loss averaged over the batch, through every path from
        ``h_t`` to the loss (later steps, later layers, states handed on). Zero
        at masked steps: Keras skips them, so no gradient reaches the cell there.
    mask, allow_nonfinite
        As for :func:`rnnviz.record`.

    Returns
    -------
    GradientProfile
    """
    if is_torch_module(model):
        from rnnviz.recording.pytorch.gradients import gradient_profile as profiler
    else:
        from rnnviz.recording.gradients import gradient_profile as profiler
    return profiler(model, x, layer, wrt, loss=loss, y=y, mask=mask, allow_nonfinite=allow_nonfinite)
