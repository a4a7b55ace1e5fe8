"""A PyTorch module's trace drawn by the renderers made for Keras traces: its stacked and bidirectional layers."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import rnnviz  # noqa: E402
from rnnviz.diagrams.architecture import stages_from_trace  # noqa: E402


def recorded(module, batch=2, steps=6, features=3):
    torch.manual_seed(0)
    x = np.random.default_rng(0).normal(size=(batch, steps, features)).astype(np.float32)
    return rnnviz.record(module.eval(), x), x


def test_a_stack_is_one_stage_per_layer():
    trace, _ = recorded(nn.LSTM(3, 4, num_layers=2, batch_first=True))
    stages = stages_from_trace(trace)
    assert [(stage.name, stage.bidirectional) for stage in stages] == [
        ("input", False), ("lstm/layer1", False), ("lstm/layer2", False)]
    assert stages[2].sources == ("lstm/layer1",) and stages[1].kind == "lstm" and stages[1].units == 4


def test_a_bidirectional_stack_is_one_two_way_stage_per_layer():
    trace, _ = recorded(nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True))
    assert [stage.name for stage in stages_from_trace(trace)] == ["input", "gru/layer1", "gru/layer2"]
    assert all(stage.bidirectional for stage in stages_from_trace(trace)[1:])


def test_the_unrolled_figure_shows_every_traced_layers_states():
    import matplotlib

    matplotlib.use("Agg")
    trace, _ = recorded(nn.LSTM(3, 4, num_layers=2, batch_first=True))
    display = rnnviz.UnrolledDisplay.from_trace(trace).plot()
    layers = {node.data.get("layer") for node in display.diagram_.nodes if node.data.get("layer")}
    assert layers == {"input", "lstm/layer1", "lstm/layer2"}
    import matplotlib.pyplot as plt

    plt.close(display.figure_)


@pytest.mark.parametrize("explorer", ["TimeStepExplorer", "CellExplorer"])
def test_explorers_record_a_module_given_with_its_input(explorer):
    import widgets

    module = nn.GRU(3, 4, batch_first=True)
    expected, x = recorded(module)
    shown = getattr(widgets, explorer)(module, x)
    np.testing.assert_array_equal(shown.trace.layers[0].states["h"], expected.layers[0].states["h"])


def test_pictures_say_what_the_numbers_were_recorded_from():
    from rnnviz.recording.experiments import untrained_cell_trace
    from rnnviz.scenes.gates import LSTMGatesScene

    trace, _ = recorded(nn.LSTM(3, 4, batch_first=True))
    assert trace.framework == "PyTorch" and untrained_cell_trace("lstm", steps=3).framework == "Keras"
    assert LSTMGatesScene(trace).about == "values recorded from PyTorch"
