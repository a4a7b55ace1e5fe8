"""Render a scene by name from Python or ``rnnviz render``: options checked, the trace checked, then manim."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnviz.errors import InputError

QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality", "4k": "fourk_quality"}
FORMATS = ("mp4", "gif", "png")  # png: the last frame only


@dataclass(frozen=True)
class SceneEntry:
    """Where a scene lives and what its ``--trace`` must be: ``"trace"`` (of ``kinds``), ``"profile"`` or ``None``."""

    module: str
    name: str
    takes: str | None = "trace"
    kinds: tuple | None = None
    about: str = ""


SCENES = {
    "unrolling": SceneEntry("rnnviz.scenes.unrolling", "UnrollingScene",
                            about="a recurrent neuron unfolds into a chain; a layer; a deep RNN"),
    "lstm": SceneEntry("rnnviz.scenes.gates", "LSTMGatesScene", kinds=("lstm",), about="the LSTM's gates step by step"),
    "peephole_lstm": SceneEntry("rnnviz.scenes.gates", "PeepholeLSTMGatesScene", kinds=("peephole_lstm",),
                                about="the peephole LSTM's gates step by step"),
    "gru": SceneEntry("rnnviz.scenes.gates", "GRUGatesScene", kinds=("gru",), about="the GRU's gates step by step"),
    "gradients": SceneEntry("rnnviz.scenes.gradients", "VanishingGradientsScene", takes="profile",
                            about="the error signal fading back through time, SimpleRNN beside LSTM"),
    "windowing": SceneEntry("rnnviz.scenes.windowing", "WindowingScene", takes=None,
                            about="tf.data windows sliding over the series and stacking into a batch"),
    "architectures": SceneEntry("rnnviz.scenes.architectures", "ArchitecturesScene", takes=None,
                                about="sequence-to-vector, vector-to-sequence, seq2seq, encoder-decoder, bidirectional"),
}


def render_scene(scene: str, *, trace=None, quality: str = "low", format: str = "mp4", out="media") -> Path:
    """Render ``scene`` (a name in :data:`SCENES`) and return the file written.

    ``trace``: a path to a saved trace (a gradient profile for ``"gradients"``), checked
    before anything renders. ``quality``: low (480p15), medium (720p30), high (1080p60)
    or 4k. ``format``: mp4, gif, or png (the last frame). ``out``: manim's media directory.
    """
    entry = scene_entry(scene)
    if quality not in QUALITIES:
        raise InputError(f"--quality: expected one of {list(QUALITIES)}, got {quality!r}")
    if format not in FORMATS:
        raise InputError(f"--format: expected one of {list(FORMATS)}, got {format!r}")
    kwargs = scene_arguments(scene, trace)
    import importlib

    from manim import tempconfig

    scene_class = getattr(importlib.import_module(entry.module), entry.name)
    settings = {
        "quality": QUALITIES[quality],
        "media_dir": str(Path(out)),
        "format": "gif" if format == "gif" else "mp4",
        "write_to_movie": format != "png",
        "save_last_frame": format == "png",
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
    }
    with tempconfig(settings):
        instance = scene_class(**kwargs)
        instance.render()
        writer = instance.renderer.file_writer
        return Path(writer.image_file_path if format == "png" else writer.movie_file_path)


def scene_entry(scene: str) -> SceneEntry:
    if scene not in SCENES:
        raise InputError(f"scene: no scene {scene!r}; expected one of {list(SCENES)}")
    return SCENES[scene]


def scene_arguments(scene: str, trace) -> dict:
    """The scene's keyword arguments for ``--trace``: the loaded, checked trace or profile (none without one)."""
    from rnnviz.scenes.traces import load_profile, load_trace

    entry = scene_entry(scene)
    if trace is None:
        return {}
    if entry.takes is None:
        raise InputError(f"--trace: the {scene} scene builds what it shows itself; it takes no trace")
    if entry.takes == "profile":
        return {"profiles": [load_profile(trace)]}
    return {"trace": load_trace(trace, kinds=entry.kinds, what=f"the {scene} scene")}
