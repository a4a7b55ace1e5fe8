"""Measure the lesson ``memory``'s backpropagation through time again on its shipped models, leaving the models and
every other array as they are.

    .venv/bin/python scripts/ship_memory_bptt.py [--root DIR]

The lesson's ``measure`` runs on the shipped models and held-out data; the ``bptt_*`` arrays of
:func:`rnnviz.lessons.memory.measure_bptt` are written anew (added where the results do not hold them yet),
with the results' own writer, kind and metadata. Every other array is checked to be stored byte for byte as
before.
"""

from __future__ import annotations

import argparse
import zipfile

from rnnviz.archive import write_archive
from rnnviz.lessons import get, store

REMEASURED = "bptt_"  # the arrays measured again


def members(path) -> dict:
    """The raw bytes of every array stored in an ``.npz`` archive, by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None, help="the lessons' folder (default: the shipped lessons)")
    root = parser.parse_args(argv).root
    lesson = get("memory")
    path = store.lesson_dir(lesson.name, root) / "results.npz"
    before = members(path)
    old, meta = store.load_results(lesson.name, root)
    models = {name: store.load_model(lesson.name, name, root) for name in lesson.model_names}
    measured = lesson.measure(models, store.load_held_out(lesson.name, root))
    new = {name: value for name, value in measured.items() if name not in old or name.startswith(REMEASURED)}
    meta = {key: value for key, value in meta.items() if key not in ("format", "format_version")}
    write_archive(path, kind=store.RESULTS_FORMAT, version=store.FORMAT_VERSION, meta=meta, arrays={**old, **new})
    after = members(path)
    changed = [name for name, raw in before.items() if after.get(name) != raw and not name.startswith(REMEASURED)]
    if changed:
        raise SystemExit(f"{path}: these stored members changed: {changed}")
    kept = len([name for name in before if not name.startswith(REMEASURED)])
    print(f"{path}: wrote {', '.join(sorted(new)) or 'nothing'}; the {kept} other members are byte-identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
