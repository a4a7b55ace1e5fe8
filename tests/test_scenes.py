"""The manim scenes: their mobjects, colours and traced values; a few last frames; every scene renders."""

import time
from pathlib import Path

import numpy as np
import pytest
from manim.utils.color import ManimColor

from rnnviz.diagrams import cell_diagram
from rnnviz.diagrams.appearance import edge_colour, node_colour
from rnnviz.errors import InputError
from rnnviz.scenes import SCENES, render_scene
from rnnviz.scenes.cell import CellMobject
from rnnviz.scenes.painter import THEME, DiagramMobject
from rnnviz.recording.experiments import untrained_cell_trace, untrained_stack_traces
from rnnviz.scenes.unrolled import UnrolledMobject
from rnnviz.style import PALETTE
from tests.frames import check_frame, last_frame


_traces = {}


def cell_trace(kind):
    """A small recorded trace per kind, made once for the module (its values drive every check)."""
    if kind not in _traces:
        _traces[kind] = untrained_cell_trace(kind, steps=5)
    return _traces[kind]


def same_colour(a, b) -> bool:
    return ManimColor(a).to_hex().lower() == ManimColor(b).to_hex().lower()


def test_diagram_mobject_paints_every_node_and_edge_in_the_palette():
    diagram = cell_diagram("peephole_lstm")
    painted = DiagramMobject(diagram)
    assert set(painted.nodes) == {node.id for node in diagram.nodes}
    assert set(painted.edges) == {(edge.source, edge.target) for edge in diagram.edges}
    for node in diagram.nodes:
        if node.shape != "text":
            assert same_colour(painted.get_node(node.id).get_stroke_color(), node_colour(node, THEME)), node.id
    for edge in diagram.edges:
        assert same_colour(painted.get_edge(edge.source, edge.target)[-1].get_color(), edge_colour(edge, THEME))
    assert same_colour(painted.get_node("forget").get_stroke_color(), PALETTE["forget"])


@pytest.mark.parametrize("kind", ["lstm", "peephole_lstm", "gru"])
def test_each_gate_shows_the_traced_value_at_every_step(kind):
    trace = cell_trace(kind)
    layer = trace.layers[0]
    cell = CellMobject.from_trace(trace)
    assert cell.steps == layer.steps
    for step in range(layer.steps):
        cell.show(step)
        for gate, values in layer.gates.items():
            outline, strip = cell.get_gate(gate)
            np.testing.assert_allclose(strip.values, values[0, step], rtol=1e-6)
            assert same_colour(outline.get_stroke_color(), PALETTE[gate])
            if gate != "candidate":  # sigmoid gates: how open a unit is, is how bright its square is
                opacities = [square.get_fill_opacity() for square in strip.cells]
                np.testing.assert_allclose(opacities, values[0, step], atol=1e-6)
        np.testing.assert_allclose(cell.get_strip("h_out").values, layer.states["h"][0, step], rtol=1e-6)


def test_between_two_steps_the_cell_shows_the_step_it_moves_to_never_a_blend():
    trace = cell_trace("lstm")
    forget = trace.layers[0].gates["forget"][0]
    cell = CellMobject.from_trace(trace)
    for time, step in ((0, 0), (1.0, 1), (1.25, 2), (1.999, 2), (2.0, 2), (99, cell.steps - 1)):
        cell.show(time)
        assert cell.step == step
        np.testing.assert_allclose(cell.get_gate("forget")[1].values, forget[step], rtol=1e-6)


def test_unrolled_strips_show_each_steps_state():
    deep = untrained_stack_traces(steps=4)["deep"]
    unrolled = UnrolledMobject(deep)
    for layer in deep.layers:
        for step in range(layer.steps):
            (node_id,) = unrolled.cells_at(step, layer.name)
            np.testing.assert_allclose(unrolled.strips[node_id].values, layer.states["h"][0, step], rtol=1e-6)


def test_a_gates_scene_refuses_another_kinds_trace_before_rendering():
    from rnnviz.scenes.gates import GRUGatesScene

    with pytest.raises(InputError, match="holds a LSTM trace.*needs a layer of type GRU"):
        GRUGatesScene(trace=cell_trace("lstm"))


def test_render_checks_its_options_and_the_trace_first(tmp_path):
    with pytest.raises(InputError, match="scene: no scene 'loop'"):
        render_scene("loop")
    with pytest.raises(InputError, match="--quality"):
        render_scene("lstm", quality="8k")
    with pytest.raises(InputError, match="--format"):
        render_scene("lstm", format="avi")
    with pytest.raises(InputError, match="--trace: no file"):
        render_scene("lstm", trace=tmp_path / "missing.npz")
    saved = cell_trace("gru").save(tmp_path / "gru.npz")
    with pytest.raises(InputError, match="GRU trace.*needs a layer of type LSTM"):
        render_scene("lstm", trace=saved)
    with pytest.raises(InputError, match="not a gradient profile"):
        render_scene("gradients", trace=saved)
    with pytest.raises(InputError, match="takes no trace"):
        render_scene("windowing", trace=saved)


def test_the_gradient_scene_shows_the_profiles_own_numbers():
    import keras

    import rnnviz
    from rnnviz.scenes.gradients import VanishingGradientsScene

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 1)), keras.layers.SimpleRNN(4)])
    profile = rnnviz.gradient_profile(model, np.random.default_rng(0).normal(size=(3, 6, 1)).astype("float32"))
    scene = VanishingGradientsScene(profiles=[profile])
    kind, decay = scene.decay["SimpleRNN"]
    median = np.median(profile.by_steps_back(), axis=0)
    assert kind == "simple_rnn"
    np.testing.assert_allclose(decay, median)  # what the slide figures draw: from ||I|| = sqrt(4) at the last step
    assert decay[0] == pytest.approx(2.0) and scene.start_note.endswith("‖I‖ = √4 ≈ 2.00")


def test_the_gradient_scene_draws_each_step_under_its_cell_on_an_axis_read_at_the_bottom():
    """Chain and curve run the same way (the last step on the right); ticks and numbers together under the axis."""
    import keras
    from manim import ValueTracker

    import rnnviz
    from rnnviz.scenes.gradients import VanishingGradientsScene

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((23, 1)), keras.layers.SimpleRNN(4)])
    profile = rnnviz.gradient_profile(model, np.random.default_rng(0).normal(size=(3, 23, 1)).astype("float32"))
    scene = VanishingGradientsScene(profiles=[profile])
    (_, chains, axes, _), moving = scene.layout(ValueTracker(scene.cell_steps[-1]))
    moving.update()
    for back, cell in zip(scene.cell_steps, chains[0].cells[::-1]):
        assert cell.get_x() == pytest.approx(scene.point(axes, back, 0)[0], abs=1e-6)
    curve = moving[1].get_anchors()
    start = scene.point(axes, 0, np.log10(scene.decay["SimpleRNN"][1][0]))
    assert np.allclose(curve[0], start) and curve[-1][0] < curve[0][0]  # from the last step, growing to the left
    bottom = axes.x_axis.get_center()[1]
    assert bottom == pytest.approx(axes.y_axis.get_bottom()[1], abs=0.05)  # the x axis is the bottom line
    ticks = scene.x_ticks(axes)
    assert [number.text for _, number in ticks] == [str(back) for back in range(0, 23, 5)]
    for back, (mark, number) in zip(range(0, 23, 5), ticks):
        assert mark.get_center() == pytest.approx(axes.c2p(22 - back, 0), abs=1e-6)
        assert number.get_top()[1] < mark.get_bottom()[1]


def test_lstm_cell_at_step_three(request):
    frame = last_frame(lambda scene: scene.add(CellMobject.from_trace(cell_trace("lstm")).show(3)))
    check_frame(request, "lstm_cell_step_3", frame)


def test_gru_cell_at_the_last_step(request):
    cell = CellMobject.from_trace(cell_trace("gru"))
    check_frame(request, "gru_cell_last_step", last_frame(lambda scene: scene.add(cell.show(cell.steps - 1))))


def test_deep_rnn_unrolled(request):
    unrolled = UnrolledMobject(untrained_stack_traces(steps=4)["deep"])
    check_frame(request, "deep_rnn_unrolled", last_frame(lambda scene: scene.add(unrolled)))


def test_a_changed_value_changes_the_frame():
    """The comparison can fail: the same cell one step later is a different picture."""
    cell = CellMobject.from_trace(cell_trace("lstm"))
    first = last_frame(lambda scene: scene.add(cell.show(0)))
    later = last_frame(lambda scene: scene.add(cell.show(3)))
    assert (np.abs(first.astype(int) - later.astype(int)).max(axis=-1) > 8).mean() > 0.001


# Every registered scene is rendered in full by tests/test_scene_steps.py (each step's section against its
# still); here the public path (render_scene: quality, format, out) for two of them: one that takes a trace and
# one that takes none.
RENDERED_HERE = ("lstm", "windowing")


@pytest.mark.slow
@pytest.mark.parametrize("name", RENDERED_HERE)
def test_a_scene_renders_at_low_quality(name, tmp_path):
    started = time.perf_counter()
    written = render_scene(name, quality="low", format="mp4", out=tmp_path)
    seconds = time.perf_counter() - started
    assert written.is_file() and written.stat().st_size > 10_000
    print(f"{name}: rendered in {seconds:.1f} s")


@pytest.mark.slow
def test_gallery_videos_land_under_their_scene_names(tmp_path, monkeypatch):
    import rnnviz.scenes
    from rnnviz.gallery import render_videos

    monkeypatch.setattr(rnnviz.scenes, "SCENES", {"windowing": SCENES["windowing"]})
    steps = []
    written = render_videos(tmp_path, step=steps.append)
    assert written == [tmp_path / "videos" / "windowing.mp4"] and written[0].stat().st_size > 10_000
    assert steps == ["videos/windowing.mp4: " + SCENES["windowing"].about]


def test_the_default_gradient_scene_shows_trained_models_where_the_lstm_keeps_its_gradient():
    """The shipped profiles (scenes/make_default_data.py) tell the lesson: far back, LSTM >> SimpleRNN."""
    import tomllib

    from rnnviz.scenes.gradients import DEFAULT_PROFILES, VanishingGradientsScene

    scene = VanishingGradientsScene()
    (_, simple), (_, lstm) = scene.decay["SimpleRNN"], scene.decay["LSTM"]
    assert scene.steps == 101 and len(scene.cell_steps) == 16 and scene.cell_steps[[0, -1]].tolist() == [0, 100]
    assert lstm[100] > 10 * simple[100]
    assert "trained on the adding problem" in scene.description
    assert all(path.is_file() for path in DEFAULT_PROFILES.values())
    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert config["tool"]["setuptools"]["package-data"]["rnnviz.scenes"] == ["data/*.npz"]  # shipped in the wheel


def test_an_unrolled_chain_shows_each_output_only_from_its_step_on():
    """A head at every step: its values are values, left out of the skeleton and shown at their own step; a head
    on the last state shows its value at the last step only."""
    import keras

    import rnnviz

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(1, 5, 2)).astype("float32")
    for return_sequences, shown_at in ((True, {0: ["head/0"], 4: ["head/4"]}), (False, {0: [], 4: None})):
        model = keras.Sequential([keras.Input((5, 2)), keras.layers.SimpleRNN(3, return_sequences=return_sequences),
                                  keras.layers.Dense(1, name="head")])
        chain = UnrolledMobject(rnnviz.record(model, x))
        skeleton = {id(part) for part in chain.skeleton().get_family()}
        assert not any(id(text) in skeleton for text in chain.outputs.values())
        assert bool(chain.outputs) == return_sequences  # a one-unit head on the last state shows no value text
        assert chain.outputs_at(0) == shown_at[0]
        assert chain.outputs_at(4) == (shown_at[4] if shown_at[4] is not None else list(chain.outputs))
