"""Add the lesson ``memory``'s new measurements to its shipped results, leaving its models and old arrays as they are.

    .venv/bin/python scripts/ship_memory_bptt.py [--root DIR]

The lesson's ``measure`` runs on the shipped models and held-out data; only the arrays the shipped
results do not hold yet (the ``bptt_*`` arrays of :func:`rnnviz.lessons.memory.measure_bptt`) are
added, with the results' own writer, kind and metadata. Every old array is checked to be stored
byte for byte as before.
"""

from __future__ import annotations

import argparse
import zipfile

from rnnviz.archive import write_archive
from rnnviz.lessons import get, store


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
    new = {name: value for name, value in measured.items() if name not in old}
    meta = {key: value for key, value in meta.items() if key not in ("format", "format_version")}
    write_archive(path, kind=store.RESULTS_FORMAT, version=store.FORMAT_VERSION, meta=meta, arrays={**old, **new})
    after = members(path)
    changed = [name for name, raw in before.items() if after.get(name) != raw]
    if changed:
        raise SystemExit(f"{path}: these stored members changed: {changed}")
    print(f"{path}: added {', '.join(sorted(new)) or 'nothing'}; the {len(before)} old members are byte-identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
