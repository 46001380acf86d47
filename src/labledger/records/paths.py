"""Where record files are: discovered by path alone (the Snakefile imports this; keep it light)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

RECORD_SUFFIXES = (".yaml", ".yml")
#: Folder (directly under the records folder) for instrument files, never read as records.
RAW_FOLDER = "raw"


def discover(records_dir: Path) -> list[Path]:
    """Every record file under `records_dir` (sorted), skipping the raw-data folder and dotfiles."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(records_dir):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and not (here == records_dir and d == RAW_FOLDER)
        )
        found.extend(
            here / f for f in filenames if f.endswith(RECORD_SUFFIXES) and not f.startswith(".")
        )
    return sorted(found)


def relative_path(path: Path | str, start: Path | str = ".") -> str:
    """`path` relative to the folder `start`, with `/` separators (as `os.path.relpath`).

    os.path.relpath makes both paths absolute on every call (tens of microseconds); the ingest
    asks this for every record and raw file, so the way from `start` to each folder is computed
    once and the file name appended.
    """
    p, s = os.path.normpath(os.fspath(path)), os.path.normpath(os.fspath(start))
    if p == s or s.startswith(p.rstrip(os.sep) + os.sep) or os.path.isabs(p) != os.path.isabs(s):
        return os.path.relpath(p, s).replace(os.sep, "/")  # `path` holds `start`: the slow way
    head, name = os.path.split(p)
    way = _folder_to(head or ".", s, os.getcwd())
    return os.path.normpath(os.path.join(way, name)).replace(os.sep, "/")


@functools.lru_cache(maxsize=4096)
def _folder_to(folder: str, start: str, cwd: str) -> str:
    """os.path.relpath(folder, start); `cwd` is part of the key as relative paths depend on it."""
    return os.path.relpath(folder, start)
