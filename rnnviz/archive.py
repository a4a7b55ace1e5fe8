"""Reading and writing rnnviz's ``.npz`` files: named arrays plus JSON metadata.

The files are ordinary NumPy ``.npz`` archives (readable with
``np.load(path, allow_pickle=False)``) with one extra member, ``__meta__.npy``,
holding UTF-8 JSON. Writing is atomic (a temporary file renamed into place) and
deterministic (fixed zip timestamps), so the same content gives the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from rnnviz.errors import TraceFileError
from rnnviz.files import write_atomically  # a new file gets the usual mode (umask), unlike mkstemp's 0600

META_MEMBER = "__meta__"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_archive(path, *, kind: str, version: int, meta: dict, arrays: dict) -> Path:
    """Write ``arrays`` and ``meta`` to ``path`` as an rnnviz archive of ``kind``."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    header = {"format": kind, "format_version": version, **meta}
    members = {META_MEMBER: np.frombuffer(_to_json(header).encode("utf-8"), dtype=np.uint8)}
    for name, array in arrays.items():
        if name == META_MEMBER:
            raise ValueError(f"array name {META_MEMBER!r} is reserved")
        array = np.asarray(array)
        if array.dtype == object:
            raise TypeError(f"array {name!r} has dtype object, which cannot be saved without pickle")
        members[name] = array

    return write_atomically(path, lambda temporary: _write_members(temporary, members))


def _write_members(path, members: dict) -> None:
    """Write ``members`` (name -> array) to ``path`` as a zip of ``.npy`` files with fixed timestamps."""
    with open(path, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as zf:
        for name, array in members.items():
            buffer = io.BytesIO()
            contiguous = np.ascontiguousarray(array) if array.ndim else array  # (it would make a scalar 1-d)
            np.lib.format.write_array(buffer, contiguous, allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            zf.writestr(info, buffer.getvalue())


def read_archive(path, *, kind: str, max_version: int) -> tuple[dict, dict]:
    """Read an archive written by :func:`write_archive`; return ``(meta, arrays)``.

    Every way a file can be unreadable (missing, truncated, corrupted, not an
    rnnviz file, another kind of rnnviz file, a newer format) raises
    :class:`~rnnviz.errors.TraceFileError` naming the file and the problem.
    """
    path = Path(path)
    if not path.is_file():
        raise TraceFileError(f"{path}: no such file")
    with open(path, "rb") as raw:
        start = raw.read(4)
    if start != b"PK\x03\x04":  # every .npz is a zip archive; anything else is not ours
        raise TraceFileError(
            f"{path}: not an rnnviz file (not an .npz archive: it starts with the bytes {start!r}); "
            "rnnviz files are written by ModelTrace.save and GradientProfile.save"
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = list(npz.files)
            if META_MEMBER not in names:
                raise TraceFileError(
                    f"{path}: not an rnnviz file (a .npz archive without rnnviz metadata; "
                    f"it holds {', '.join(names[:5]) or 'nothing'})"
                )
            meta = json.loads(npz[META_MEMBER].tobytes().decode("utf-8"))
            arrays = {name: npz[name] for name in names if name != META_MEMBER}
    except TraceFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
        raise TraceFileError(
            f"{path}: cannot be read as an rnnviz file; it is truncated, corrupted or "
            f"not an .npz archive ({type(exc).__name__}: {exc})"
        ) from exc

    if not isinstance(meta, dict) or "format" not in meta:
        raise TraceFileError(f"{path}: rnnviz metadata is malformed (no 'format' entry)")
    if meta["format"] != kind:
        raise TraceFileError(f"{path}: holds a {meta['format']}, expected a {kind}")
    version = meta.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise TraceFileError(f"{path}: format version {version!r} is not valid")
    if version > max_version:
        raise TraceFileError(
            f"{path}: written in {kind} format version {version} by a newer rnnviz; "
            f"this rnnviz reads versions up to {max_version}. Upgrade rnnviz to read it."
        )
    return meta, arrays


def _to_json(value) -> str:
    return json.dumps(value, sort_keys=True, default=_json_fallback)


def _json_fallback(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, set)):
        return list(value)
    return repr(value)
