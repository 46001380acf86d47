"""Record discovery for the Snakefile: by path and one cheap line scan, never a YAML parse.

Building the DAG must stay fast with thousands of records (DESIGN.md: parsing 10,000 YAML files
costs seconds on every invocation), so the rules find records by folder and read only the
`raw_file:` line of each, which is all the DAG needs. The jobs themselves validate the records.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from pathlib import Path


def _line_pattern(name: str) -> re.Pattern[bytes]:
    return re.compile(
        rb"(?m)^" + name.encode() + rb":[ \t]*['\"]?([^'\"\n#]+?)['\"]?[ \t]*(?:#.*)?$"
    )


_RAW_LINE = _line_pattern("raw_file")


def records_in(folder: Path) -> dict[str, Path]:
    """Record id -> file for every record file (`*.yaml` or `*.yml`, as `check` and the ingest
    read them) under `folder` (the kind's folder)."""
    from labledger.records.paths import discover

    return {p.stem: p for p in discover(folder)} if folder.is_dir() else {}


def raw_file_of(record: Path) -> Path | None:
    """The raw file a record names (relative to the record), or None while it is pending."""
    match = _RAW_LINE.search(record.read_bytes())
    if not match:
        return None
    value = match.group(1).decode("utf-8", "replace").strip()
    if value in ("", "null", "~"):
        return None
    return Path(record.parent, value)


def top_level_value(record: Path, name: str) -> str | None:
    """The plain scalar written on a record's top-level `name:` line, or None."""
    match = _line_pattern(name).search(record.read_bytes())
    if not match:
        return None
    value = match.group(1).decode("utf-8", "replace").strip()
    return None if value in ("", "null", "~") else value


def analysable(folder: Path) -> dict[str, tuple[Path, Path]]:
    """Record id -> (record file, raw file) for the records in `folder` that have a raw file."""
    out = {}
    for rid, path in records_in(folder).items():
        raw = raw_file_of(path)
        if raw is not None:
            out[rid] = (path, raw)
    return out


def shard_of(record_id: str, shards: int) -> int:
    """The shard a record belongs to among `shards`: crc32 of its id, so it never moves while
    the number of shards stays the same."""
    return zlib.crc32(record_id.encode("utf-8")) % shards


def shard_members(record_ids: Iterable[str], shards: int) -> list[list[str]]:
    """The record ids of each of `shards` shards, sorted; shard i is element i."""
    out: list[list[str]] = [[] for _ in range(shards)]
    for rid in sorted(record_ids):
        out[shard_of(rid, shards)].append(rid)
    return out
