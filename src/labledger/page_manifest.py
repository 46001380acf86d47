"""Incremental page builds: render a page again only when what it shows, or the code that
renders it, changed.

A folder of generated pages keeps a manifest (JSON) of page name -> key, where the key is the
sha256 of the page's view data (the plain values handed to its template). The manifest also
holds a fingerprint of the rendering code (the templates and modules of the package that
renders the pages, and labledger's version); a different fingerprint renders every page again.
With thousands of records a one-record change then writes a handful of pages instead of all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from labledger.atomic import write_text_atomic


def code_fingerprint(package_dir: Path) -> str:
    """sha256 of labledger's version and every file of `package_dir` (sources, templates)."""
    from labledger.version import labledger_version

    digest = hashlib.sha256(labledger_version().encode())
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def data_key(data: Any, default: Callable[[Any], Any] = str) -> str:
    """sha256 of `data` as canonical JSON; `default` turns other objects into JSON values."""
    blob = json.dumps(data, sort_keys=True, default=default, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class PageManifest:
    """The manifest of one folder of pages: which key each page was last rendered from.

    Each entry is {"key": ..., "uses": [...]}, `uses` naming helper files the page needs
    (e.g. cached plots) so that a build which skips the page still knows they are in use.
    """

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path, self.fingerprint = path, fingerprint
        self.before: dict[str, dict[str, Any]] = {}
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = None
        if isinstance(stored, dict) and stored.get("fingerprint") == fingerprint:
            pages = stored.get("pages")
            if isinstance(pages, dict):
                self.before = {k: v for k, v in pages.items() if isinstance(v, dict)}
        self.after: dict[str, dict[str, Any]] = {}

    def is_current(self, name: str, key: str, page: Path) -> bool:
        """True when `page` exists and was rendered from `key`; the entry is then kept."""
        entry = self.before.get(name)
        if entry is None or entry.get("key") != key or not page.is_file():
            return False
        self.after[name] = entry
        return True

    def rendered(self, name: str, key: str, uses: Iterable[str] = ()) -> None:
        """Record that page `name` was just rendered from `key`."""
        self.after[name] = {"key": key, "uses": sorted(uses)}

    def keep(self, names: Iterable[str]) -> None:
        """Carry entries over unchanged (pages outside the scope of a partial build)."""
        for name in names:
            if name in self.before:
                self.after[name] = self.before[name]

    def dropped(self) -> set[str]:
        """Pages in the previous manifest that this build neither rendered nor kept."""
        return set(self.before) - set(self.after)

    def uses(self) -> set[str]:
        """The helper files of every page in this build's manifest."""
        return {u for entry in self.after.values() for u in entry.get("uses", [])}

    def save(self) -> None:
        """Write the manifest (atomically: a killed build leaves the old one or the new one)."""
        payload = {"fingerprint": self.fingerprint, "pages": self.after}
        write_text_atomic(self.path, json.dumps(payload, sort_keys=True, indent=0) + "\n")
