"""The ``rnnviz`` command line: ``rnnviz gallery --out DIR`` and ``rnnviz render SCENE``."""

from __future__ import annotations

import argparse
import os
import sys

from rnnviz.errors import RnnvizError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnviz", description="Teach RNNs with the real numbers of real Keras models.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    gallery = commands.add_parser(
        "gallery", help="write every figure of the lecture, drawn from the lessons shipped with rnnviz (no training)"
    )
    gallery.add_argument("--out", default="gallery", help="output directory (default: ./gallery)")
    gallery.add_argument("--retrain", action="store_true",
                         help="train every lesson from scratch first (into OUT/lessons), print every claim's check, "
                         "state a failed claim on its figure and in index.html, and exit 1 if one fails")
    gallery.add_argument("--seed", type=_seeds_one, default=None,
                         help="with --retrain: the seed to train with (the shipped lessons are seed 0)")
    gallery.add_argument("--theme", choices=("light", "dark"), default="light", help="figure theme (default: light)")
    gallery.add_argument("--size", choices=("16:9", "4:3"), default="16:9", help="slide size (default: 16:9)")
    gallery.add_argument("--no-titles", action="store_true",
                         help="figures without their titles and subtitles (for slides that carry their own)")
    gallery.add_argument("--formats", type=_formats, default="png,svg,pdf",
                         help="comma-separated file formats among png, svg, pdf (default: png,svg,pdf)")
    gallery.add_argument("--video", action="store_true",
                         help="also render every lecture video (manim scenes, low quality) into OUT/videos")
    lessons = commands.add_parser("lessons", help="the lecture's trained lessons: check their claims, or train them")
    lesson_commands = lessons.add_subparsers(dest="lessons_command", required=True, metavar="ACTION")
    check = lesson_commands.add_parser("check", help="measure every claim on the shipped models; exit 1 if one fails")
    check.add_argument("lesson", nargs="?", help="one lesson (default: all)")
    train = lesson_commands.add_parser("train", help="train lessons from scratch, check their claims and report")
    train.add_argument("lesson", nargs="?", help="one lesson (default: all)")
    seeds = train.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=_seeds, help="random seed (default: 0)")
    seeds.add_argument("--seeds", type=_seeds, help="several seeds, e.g. 0-4 or 0,2,5: a seed x claim table")
    train.add_argument("--out", help="write the trained lesson (models, held-out data, results) here; "
                       "rnnviz/lessons/shipped is what the package ships (seed 0)")
    from rnnviz.scenes.render import FORMATS, QUALITIES, SCENES

    render = commands.add_parser("render", help="render a lecture video (a manim scene) from a trace or a default model",
                                 description="scenes: " + "; ".join(f"{name}: {entry.about}" for name, entry in SCENES.items()))
    render.add_argument("scene", choices=list(SCENES), metavar="SCENE", help=f"one of {', '.join(SCENES)}")
    render.add_argument("--trace", help="a saved trace (.npz; for 'gradients' a saved gradient profile)")
    render.add_argument("--quality", choices=list(QUALITIES), default="low", help="low (480p), medium (720p), "
                        "high (1080p) or 4k (default: low)")
    render.add_argument("--format", choices=list(FORMATS), default=None, help="mp4, gif, or png: the last frame "
                        "(default: mp4; png with --step)")
    render.add_argument("--out", default="media", help="output directory, manim's media folder (default: ./media)")
    render.add_argument("--sections", action="store_true", help="also write one clip per step (manim's section files, "
                        "named after the steps, with a JSON index) under OUT/videos/<quality>/sections")
    render.add_argument("--step", type=_step, default=None, metavar="K",
                        help="render the still of step K (0-based, in the order of the sections), built directly for "
                        "that step, as a png")
    return parser


def _formats(text: str) -> list:
    formats = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [fmt for fmt in formats if fmt not in ("png", "svg", "pdf")]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"expected formats among png, svg, pdf separated by commas, got {text!r}")
    return formats


def _step(text: str) -> int:
    """A step number; whether the scene has that step is checked when the scene is made."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a step number (an integer from 0), got {text!r}") from None


def _seeds(text: str) -> list:
    """``"3"``, ``"0-4"`` or ``"0,2,5"`` -> a list of seeds."""
    try:
        seeds = []
        for part in text.split(","):
            first, _, last = part.strip().partition("-")
            seeds.extend(range(int(first), int(last or first) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a seed, a range such as 0-4, or seeds separated by commas; got {text!r}") from None
    if not seeds or min(seeds) < 0:
        raise argparse.ArgumentTypeError(f"expected non-negative seeds, got {text!r}")
    return seeds


def _seeds_one(text: str) -> int:
    """One non-negative seed."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("gallery", "render"):
        _quiet_tensorflow(imported_here=args.command == "gallery" and args.retrain)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import matplotlib

    matplotlib.use("Agg")  # a command-line run draws to files only
    try:
        if args.command == "gallery":
            from rnnviz.gallery import run_gallery

            result = run_gallery(args.out, seed=args.seed, retrain=args.retrain, theme=args.theme, size=args.size,
                                 formats=args.formats, progress=_progress, video=args.video, titles=not args.no_titles)
            print(result.summary())
            if result.failed:
                return 1
        elif args.command == "lessons":
            from rnnviz.lessons.report import run_lessons_command

            return run_lessons_command(args, write=_progress)
        elif args.command == "render":
            from rnnviz.scenes import render_scene

            written = render_scene(args.scene, trace=args.trace, quality=args.quality, format=args.format, out=args.out,
                                   sections=args.sections, step=args.step)
            for path in (written.files() if args.sections else [written]):  # every file written, one per line
                print(path)
    except RnnvizError as exc:
        print(f"rnnviz {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"rnnviz {args.command}: interrupted; files already finished are complete, none is half-written",
              file=sys.stderr)
        return 130
    return 0


def _quiet_tensorflow(*, imported_here: bool) -> None:
    """A successful run prints no TensorFlow noise on stderr; an error is still printed (and the run fails).

    ``imported_here``: this process will use TensorFlow (training), so import it now, without its start-up
    notes; otherwise only the helper process of ``gallery`` does (and quiets it the same way).
    """
    from rnnviz.gallery import import_tensorflow_quietly, quiet_tensorflow

    if imported_here:
        import_tensorflow_quietly()
    else:
        quiet_tensorflow()


def _progress(message: str) -> None:
    print(message, flush=True)


if __name__ == "__main__":
    sys.exit(main())
