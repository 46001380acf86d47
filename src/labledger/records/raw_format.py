"""A cheap look at a raw file before any analysis: is it the kind of file its record says?

`labledger check` reads the first 4 KB of each raw file and asks the record kind's own format
check (its model's `raw_head_problem`: `labledger.formats.xrd`, `.eis`, `.cycling`, the tables
its readers use) whether it can be read: an empty file, a binary file where text is expected,
a file that does not start like its suffix says, or an unsupported suffix is then a problem on
the record's `raw_file` line, not a failed job later. The format tables import nothing heavy,
so `check` stays fast; the full reading stays with the readers.
"""

from __future__ import annotations

from pathlib import Path

from labledger.records.kinds import KINDS

HEAD_BYTES = 4096


def raw_format_problem(kind: str, path: Path) -> str | None:
    """Why `path` cannot be a raw file of a `kind` record, or None when it looks right."""
    model = KINDS.get(kind)
    if model is None:
        return None
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        return "raw file is empty"
    return model.raw_head_problem(path.suffix.lower(), head)
