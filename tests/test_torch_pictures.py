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


class Forecaster(nn.Module):
    """A course's forecaster: a two-layer LSTM, then a Linear head on the last step's output."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 6, num_layers=2, batch_first=True)
        self.head = nn.Linear(6, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


class CharModel(nn.Module):
    """A character-level model: Embedding, Dropout, GRU, a Linear decoder at every step."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(30, 5)
        self.drop = nn.Dropout(0.2)
        self.rnn = nn.GRU(5, 7, batch_first=True)
        self.decoder = nn.Linear(7, 30)

    def forward(self, tokens):
        out, _ = self.rnn(self.drop(self.embedding(tokens)))
        return self.decoder(out)


class D2lRNNModel(nn.Module):
    """d2l's RNNModel: the token ids one-hot encoded in forward, time first, the output reshaped for the Linear."""

    def __init__(self, vocab_size=28):
        super().__init__()
        self.vocab_size = vocab_size
        self.rnn = nn.RNN(vocab_size, 8)
        self.linear = nn.Linear(8, vocab_size)

    def forward(self, inputs):
        X = nn.functional.one_hot(inputs.T.long(), self.vocab_size).float()
        Y, _ = self.rnn(X)
        return self.linear(Y.reshape((-1, Y.shape[-1])))


def drawn(trace):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    display = rnnviz.UnrolledDisplay.from_trace(trace).plot()
    layers = {node.data.get("layer") for node in display.diagram_.nodes if node.data.get("layer")}
    plt.close(display.figure_)
    return layers


def test_the_diagram_of_a_module_has_the_layers_around_its_recurrent_ones():
    torch.manual_seed(0)
    trace = rnnviz.record(Forecaster().eval(), np.random.default_rng(0).normal(size=(2, 8, 1)).astype(np.float32))
    stages = stages_from_trace(trace)
    assert [(stage.name, stage.role, stage.sources, stage.return_sequences) for stage in stages] == [
        ("input", "input", (), False), ("lstm/layer1", "recurrent", ("input",), True),
        ("lstm/layer2", "recurrent", ("lstm/layer1",), False),  # the head reads its last step only
        ("head", "dense", ("lstm/layer2",), False)]
    assert stages[-1].units == 1 and stages[-1].class_name == "Linear"
    assert {"lstm/layer1", "lstm/layer2", "head"} <= drawn(trace)


def test_an_embedding_and_a_decoder_at_every_step():
    torch.manual_seed(0)
    tokens = np.random.default_rng(0).integers(1, 30, size=(2, 8))
    trace = rnnviz.record(CharModel().eval(), tokens)
    stages = {stage.name: stage for stage in stages_from_trace(trace)}
    assert stages["embedding"].role == "embedding" and stages["embedding"].extra["vocabulary"] == 30
    assert stages["rnn"].sources == ("embedding",)  # the Dropout hands its input on
    assert stages["rnn"].return_sequences and stages["decoder"].sources == ("rnn",)
    assert stages["input"].extra["tokens"] and stages["input"].steps == 8
    assert {"embedding", "rnn", "decoder"} <= drawn(trace)


def test_one_hot_tokens_time_first_and_a_reshaped_output_are_followed():
    torch.manual_seed(0)
    tokens = np.random.default_rng(0).integers(0, 28, size=(2, 8))
    trace = rnnviz.record(D2lRNNModel().eval(), tokens)
    stages = stages_from_trace(trace)
    assert [(stage.name, stage.sources) for stage in stages] == [
        ("input", ()), ("rnn", ("input",)), ("linear", ("rnn",))]
    assert stages[0].extra["tokens"] and stages[0].extra["one_hot"] == 28 and stages[1].return_sequences


def test_what_the_forward_computes_itself_is_an_input_of_its_own():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(3, 4, batch_first=True)

        def forward(self, x):
            return self.gru(torch.cumsum(x, dim=1))[0]

    trace = rnnviz.record(Scaled().eval(), np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32))
    assert [(stage.name, stage.role, stage.sources) for stage in stages_from_trace(trace)] == [
        ("input of gru", "input", ()), ("gru", "recurrent", ("input of gru",))]


def test_a_recurrent_module_run_twice_is_a_stage_per_run():
    """A Siamese encoder: one nn.LSTM (two layers) run on two sequences; each run its own stages and rows, named as
    its traces (``"encoder/layer2#2"``), each drawn with that run's states."""

    class Siamese(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.LSTM(3, 4, num_layers=2, batch_first=True)
            self.score = nn.Linear(8, 1)

        def forward(self, left, right):
            last = [self.encoder(side)[1][0][-1] for side in (left, right)]
            return self.score(torch.cat(last, dim=-1))

    torch.manual_seed(0)
    left, right = (np.random.default_rng(seed).normal(size=(2, 5, 3)).astype(np.float32) for seed in (0, 1))
    trace = rnnviz.record(Siamese().eval(), (left, right))
    assert trace.layer_names == ["encoder/layer1", "encoder/layer2", "encoder/layer1#2", "encoder/layer2#2"]
    stages = {stage.name: stage for stage in stages_from_trace(trace)}
    assert stages["encoder/layer1"].sources == ("input",)
    assert stages["encoder/layer1#2"].sources == ("input of encoder (call 2)",)
    assert stages["encoder/layer2#2"].sources == ("encoder/layer1#2",)
    np.testing.assert_array_equal(trace["encoder/layer1#2"].inputs, right)
    import matplotlib.pyplot as plt

    display = rnnviz.UnrolledDisplay.from_trace(trace, max_steps=5).plot()
    diagram = display.diagram_
    assert {node.data["layer"] for node in diagram.find("cell")} == set(trace.layer_names)
    (label,) = [label for label in diagram.labels if label.text.startswith("input 'input of encoder (call 2)'")]
    first_run = [node for node in diagram.nodes if node.x < label.x]
    assert label.x - label.width > max(node.x + node.width / 2 for node in first_run)  # its long label clears them
    plt.close(display.figure_)


def test_a_recurrent_module_stepped_in_a_loop_is_drawn_once():
    """PyTorch's seq2seq tutorial decoder: nn.GRU run on one step at a time in a loop, each run a trace of one step;
    drawn as one stage (a stage per run is for runs on whole sequences, a Siamese encoder's)."""

    class Decoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(3, 4, batch_first=True)
            self.out = nn.Linear(4, 3)

        def forward(self, x):
            step, hidden, outputs = x[:, :1], None, []
            for _ in range(4):
                output, hidden = self.gru(step, hidden)
                step = self.out(output)
                outputs.append(step)
            return torch.cat(outputs, dim=1)

    torch.manual_seed(0)
    trace = rnnviz.record(Decoder().eval(), np.random.default_rng(0).normal(size=(2, 1, 3)).astype(np.float32))
    assert trace.layer_names == ["gru", "gru#2", "gru#3", "gru#4"]
    assert [stage.name for stage in stages_from_trace(trace) if stage.role == "recurrent"] == ["gru"]
