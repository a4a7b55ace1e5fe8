"""Render a scene by name from Python or ``rnnviz render``: options checked, the trace checked, then manim."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnviz.errors import InputError
from rnnviz.kinds import CELL_KINDS

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


def gates_scene_name(kind: str) -> str:
    """The class name of the gates scene of cell kind ``kind``: its Keras layer's name + ``GatesScene``."""
    return f"{CELL_KINDS[kind].layer_name}GatesScene"


SCENES = {
    "unrolling": SceneEntry("rnnviz.scenes.unrolling", "UnrollingScene",
                            about="a recurrent neuron unfolds into a chain; a layer; a deep RNN"),
    "memory_cell": SceneEntry("rnnviz.scenes.memory_cell", "MemoryCellScene", takes=None,
                              about="the memory cell folded with its trained Wₓ, Wₕ, b, then unrolled: each step "
                                    "takes copies of the same weights"),
    "conveyor": SceneEntry("rnnviz.scenes.conveyor", "ConveyorScene", takes=None,
                           about="the idea of gates: the trained LSTM's cell state as a conveyor belt, its forget and "
                                 "input gates as valves, step by step"),
    **{kind: SceneEntry("rnnviz.scenes.gates", gates_scene_name(kind), kinds=(kind,),
                        about=f"the {cell.title}'s gates step by step")
       for kind, cell in CELL_KINDS.items() if cell.gates},  # one per cell kind with gates
    "gradients": SceneEntry("rnnviz.scenes.gradients", "VanishingGradientsScene", takes="profile",
                            about="the error signal fading back through time, SimpleRNN beside LSTM"),
    "bptt": SceneEntry("rnnviz.scenes.bptt", "BPTTScene", takes=None,
                       about="backpropagation through time: the answer's error signal walked back one Jacobian per "
                             "step, SimpleRNN above LSTM"),
    "components": SceneEntry("rnnviz.scenes.components", "ComponentsScene", takes=None,
                             about="a series built up from level, trend, seasonality and noise; CO₂ taken apart by STL"),
    "pipeline": SceneEntry("rnnviz.scenes.pipeline", "PipelineScene", takes=None,
                           about="the tf.data pipeline stage by stage: each call, its element shape, its first values"),
    "convolution": SceneEntry("rnnviz.scenes.convolution", "ConvolutionScene", takes=None,
                              about="a trained Conv1D's kernel sliding over the series, each output below"),
    "windowing": SceneEntry("rnnviz.scenes.windowing", "WindowingScene", takes=None,
                            about="tf.data windows sliding over the series and stacking into a batch"),
    "architectures": SceneEntry("rnnviz.scenes.architectures", "ArchitecturesScene", takes=None,
                                about="sequence-to-vector, vector-to-sequence, seq2seq, encoder-decoder, bidirectional"),
}


def render_scene(scene: str, *, trace=None, quality: str = "low", format: str | None = None, out="media",
                 sections: bool = False, step: int | None = None):
    """Render ``scene`` (a name in :data:`SCENES`) and return the file written (with ``sections``: the list of clips).

    ``trace``: a path to a saved trace (a gradient profile for ``"gradients"``), checked
    before anything renders. ``quality``: low (480p15), medium (720p30), high (1080p60)
    or 4k. ``format``: mp4 (default), gif, or png (the last frame; with ``step``, the default).
    ``out``: manim's media directory. ``sections``: also write one clip per step (manim's
    section files) and return them, in order, as a :class:`SectionClips` list. ``step``: render the
    still of step ``step`` (0-based, in the order of the scene's sections), built directly for
    that step, as a png.
    """
    entry = scene_entry(scene)
    if quality not in QUALITIES:
        raise InputError(f"--quality: expected one of {list(QUALITIES)}, got {quality!r}")
    format = format or ("png" if step is not None else "mp4")
    if format not in FORMATS:
        raise InputError(f"--format: expected one of {list(FORMATS)}, got {format!r}")
    if sections and step is not None:
        raise InputError("--sections: a clip per step is a video; --step K renders one still, expected one or the other")
    if sections and format == "png":
        raise InputError("--sections: writes a clip per step; expected --format mp4 or gif, got 'png'")
    if step is not None and format != "png":
        raise InputError(f"--format: --step renders the still of one step; expected png, got {format!r}")
    import importlib

    scene_class = getattr(importlib.import_module(entry.module), entry.name)
    if step is not None and not _is_stepped(scene_class):
        raise InputError(f"--step: the {scene} scene has no steps; expected no --step")
    kwargs = scene_arguments(scene, trace)
    if step is not None:
        kwargs["step"] = step
    from manim import tempconfig

    settings = {
        "quality": QUALITIES[quality],
        "media_dir": str(Path(out)),
        "format": "gif" if format == "gif" else "mp4",
        "write_to_movie": format != "png",
        "save_last_frame": format == "png",
        "save_sections": sections,
        **({"output_file": f"{entry.name}_step_{step}"} if step is not None else {}),  # one still per step
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
    }
    with tempconfig(settings):
        instance = scene_class(**kwargs)  # checks --step against the scene's steps before anything renders
        instance.render()
        writer = instance.renderer.file_writer
        if sections:
            return section_clips(writer)
        return Path(writer.image_file_path if format == "png" else writer.movie_file_path)


class SectionClips(list):
    """The clip of every step, in order; ``index`` is manim's JSON index of them, ``video`` the whole video."""

    def __init__(self, clips, *, index: Path, video: Path):
        super().__init__(clips)
        self.index, self.video = index, video

    def files(self) -> list:
        """Every file written: the clips, the index, the whole video."""
        return [*self, self.index, self.video]


def section_clips(writer) -> SectionClips:
    """The section files a scene's file writer wrote, read from manim's index of them."""
    import json

    index = Path(writer.output_plan.section_index)
    entries = json.loads(index.read_text())
    return SectionClips([index.parent / entry["video"] for entry in entries], index=index,
                        video=Path(writer.movie_file_path))


def _is_stepped(scene_class) -> bool:
    from rnnviz.scenes.stepped import SteppedScene

    return issubclass(scene_class, SteppedScene)


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
