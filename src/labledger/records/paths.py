"""Where record files are: discovered by path alone (the Snakefile imports this; keep it light)."""

from __future__ import annotations

import os
from pathlib import Path

RECORD_SUFFIXES = (".yaml", ".yml")
#: Folder (directly under the records folder) for instrument files, never read as records.
RAW_FOLDER = "raw"


def discover(records_dir: Path) -> list[Path]:
    """Every record file under `records_dir` (sorted), skipping the raw-data folder and dotfiles."""
    found = []
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
