"""Given a trace, a profile or a shipped lesson result, no renderer imports TensorFlow or Keras.

A fresh Python process (so the blocker cannot leak into other tests) installs an
import hook that makes ``import tensorflow`` and ``import keras`` raise ImportError,
then draws every gallery figure made from a trace, a profile or a shipped lesson
result, makes every scene's default (rendering one to its last frame) and the
explorers given nothing, and checks that neither module was ever imported.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BLOCKER = """
import importlib.abc
import sys

BLOCKED = ("tensorflow", "keras", "tf_keras")
attempts = []


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            attempts.append(name)
            raise ImportError(f"{name} is blocked in this test: a renderer must not need it")
        return None


sys.meta_path.insert(0, Blocker())


def check_never_imported(what):
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
    assert not loaded and not attempts, f"{what}: imported or tried to import {attempts or loaded}"
"""


def run_blocked(code: str, timeout: int = 240) -> str:
    """Run ``code`` after the blocker in a fresh interpreter; its stdout (fails with its stderr)."""
    script = BLOCKER + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def test_figures_from_traces_profiles_and_lesson_results_need_no_tensorflow():
    out = run_blocked("""
        import matplotlib.pyplot as plt

        import rnnviz
        from rnnviz import gallery, lessons
        from rnnviz.figures.forecast import ForecastErrorsDisplay, LearningCurvesDisplay
        from rnnviz.figures.gradient_decay import GradientDecayDisplay
        from rnnviz.figures.unrolled import UnrolledDisplay
        from rnnviz.lessons import forecasting
        from rnnviz.profile import load_profile
        from rnnviz.scenes.traces import default_architecture_traces, default_stack_traces

        for name in lessons.LESSONS:  # every shipped result loads
            assert lessons.results(name)
        traces = {name: lessons.trace("forecasting", name) for name in forecasting.RECORDED}
        results = forecasting.forecast_results()
        figures = [*gallery._gate_lesson_figures(), *gallery._gradient_figures(seed=0), *gallery._trace_figures(traces)]
        drawn = []
        for figure in figures:
            figure.make()
            drawn.append(figure.name)
            plt.close("all")
        ForecastErrorsDisplay.from_results(results).plot()
        LearningCurvesDisplay.from_results(results).plot()
        for trace in [*default_architecture_traces().values(), *default_stack_traces().values()]:
            UnrolledDisplay.from_trace(trace, max_steps=6).plot()  # the gallery's architectures, from shipped traces
            plt.close("all")
        from rnnviz.scenes.gradients import DEFAULT_PROFILES
        GradientDecayDisplay.from_profiles({label: load_profile(path) for label, path in DEFAULT_PROFILES.items()}).plot()
        check_never_imported("the figures")
        print(len(drawn), "gallery figures")
    """)
    assert int(out.splitlines()[-1].split()[0]) >= 20


def test_scene_defaults_and_explorers_need_no_tensorflow():
    out = run_blocked("""
        from manim import tempconfig

        from rnnviz.scenes.architectures import ArchitecturesScene
        from rnnviz.scenes.gates import GRUGatesScene, LSTMGatesScene, PeepholeLSTMGatesScene
        from rnnviz.scenes.gradients import VanishingGradientsScene
        from rnnviz.scenes.unrolling import UnrollingScene
        from rnnviz.scenes.windowing import WindowingScene
        from rnnviz.widgets import CellExplorer, TimeStepExplorer

        scenes = [LSTMGatesScene, PeepholeLSTMGatesScene, GRUGatesScene, UnrollingScene, VanishingGradientsScene,
                  WindowingScene, ArchitecturesScene]
        settings = {"pixel_height": 240, "pixel_width": 427, "frame_rate": 1, "dry_run": True, "disable_caching": True,
                    "write_to_movie": False, "verbosity": "WARNING", "progress_bar": "none"}
        with tempconfig(settings):
            made = {scene.__name__: scene() for scene in scenes}
            made["WindowingScene"].render()  # the whole animation, to its last frame
            assert made["WindowingScene"].renderer.get_frame().any()
        for explorer in (CellExplorer(), TimeStepExplorer()):
            assert explorer.png()
        check_never_imported("the scenes' defaults and the explorers")
        print("ok", len(made))
    """)
    assert out.splitlines()[-1] == "ok 7"  # (manim logs to stdout before it)


def test_the_measuring_explorers_say_what_they_need():
    out = run_blocked("""
        from rnnviz.widgets import GradientExplorer, WindowingExplorer

        for explorer in (GradientExplorer, WindowingExplorer):
            try:
                explorer()
            except ImportError as error:
                print(" ".join(str(error).split()))
    """)
    gradients, windowing = out.splitlines()[-2:]
    assert gradients.startswith("GradientExplorer measures a real Keras layer") and "needs TensorFlow" in gradients
    assert windowing.startswith("WindowingExplorer shows the windows") and "needs TensorFlow" in windowing


def test_recording_a_pytorch_module_needs_no_tensorflow():
    """rnnviz.record, rnnviz.gradient_profile and the figures given a PyTorch module import PyTorch only."""
    import pytest

    pytest.importorskip("torch")
    out = run_blocked("""
        import torch

        import rnnviz
        from rnnviz.figures.cell import CellDisplay
        from rnnviz.figures.unrolled import UnrolledDisplay

        torch.manual_seed(0)
        module = torch.nn.LSTM(3, 5, num_layers=2, batch_first=True)
        x = torch.randn(2, 6, 3)
        trace = rnnviz.record(module, x)
        assert len(trace.layers) == 2 and trace.layers[0].states["c"].shape == (2, 6, 5)
        profile = rnnviz.gradient_profile(module, x)
        assert profile.norms.shape == (2, 6)
        UnrolledDisplay.from_model(module, x).plot()
        CellDisplay.from_model(module, x).plot()
        check_never_imported("recording a PyTorch module")
        print("recorded")
    """)
    assert "recorded" in out
