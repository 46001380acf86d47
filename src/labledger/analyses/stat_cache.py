"""What an analysis read from a file, cached by the file's size and mtime.

The Arrhenius analysis reads every EIS result (JSON) and hashes every EIS record on each
publish; at thousands of spectra that cost more than the fits. A file whose size and mtime (ns)
are unchanged is not read again, the policy the ingest uses for raw files. A missing or
unreadable cache file only costs reading everything once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labledger.atomic import write_text_atomic

#: Bump when what is cached changes: an older cache is then read as empty.
VERSION = 1


def file_stat(path: Path) -> list[int] | None:
    """[size, mtime in ns] of `path`, or None when it cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


class StatCache:
    """key -> (stat of a file, what was read from it), kept in one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = None
        ok = isinstance(stored, dict) and stored.get("version") == VERSION
        entries = stored.get("entries") if ok and isinstance(stored, dict) else None
        self.before: dict[str, Any] = entries if isinstance(entries, dict) else {}
        self.after: dict[str, Any] = {}

    def get(self, key: str, path: Path, read: Callable[[Path], Any]) -> Any:
        """What `read(path)` returns, from the cache while the file's stat is unchanged."""
        stat = file_stat(path)
        if stat is None:
            return None
        entry = self.before.get(key)
        if isinstance(entry, dict) and entry.get("stat") == stat:
            value = entry.get("value")
        else:
            value = read(path)
        self.after[key] = {"stat": stat, "value": value}
        return value

    def save(self) -> None:
        """Write the entries used since loading (only when they differ from the stored ones)."""
        if self.after != self.before:
            text = json.dumps({"version": VERSION, "entries": self.after}, sort_keys=True)
            write_text_atomic(self.path, text + "\n")
