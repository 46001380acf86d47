"""What changed between two ingests: records added, edited, removed, and results that moved.

Built from `record_revision` (every version of every record, with the ingest that stored it)
and `analysis_run` (every run, with the ingest that loaded it). "Between two commits" is
"between the ingests that hold those commits' records" (`resolve_ingest`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labledger.db.history import diff
from labledger.gitinfo import blobs_at
from labledger.report.data import ReportData


@dataclass(frozen=True)
class RecordChange:
    """One record's change: added, edited, removed or restored; `fields` lists `f: old -> new`."""

    record_id: str
    kind: str
    change: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultMove:
    """A result recomputed between the two ingests: `change` is 'new' or 'changed'."""

    record_id: str
    analysis: str
    change: str
    old_sha256: str | None
    new_sha256: str


@dataclass
class Changes:
    """Changes after ingest `since` (exclusive; 0 = the empty database) up to `until`."""

    since: int
    until: int
    since_commit: str | None
    until_commit: str | None
    records: list[RecordChange] = field(default_factory=list)
    results: list[ResultMove] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for r in self.records if r.change == change)

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "records": [r.__dict__ for r in self.records],
            "results": [r.__dict__ for r in self.results],
        }


def _latest(items: list[dict], key: str, upto: int) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for item in items:
        if item["ingest_id"] <= upto:
            prev = out.get(item[key])
            if prev is None or (item.get("revision", item.get("id")) or 0) >= (
                prev.get("revision", prev.get("id")) or 0
            ):
                out[item[key]] = item
    return out


def changes_between(data: ReportData, since: int, until: int) -> Changes:
    """Record and result changes after ingest `since` up to and including ingest `until`."""
    commits = {i["id"]: i.get("git_commit") for i in data.ingests}
    before = _latest(data.revisions, "record_id", since)
    after = _latest(data.revisions, "record_id", until)
    out = Changes(since, until, commits.get(since), commits.get(until))
    for rid in sorted(after):
        new = after[rid]
        old = before.get(rid)
        if old is not None and old["revision"] == new["revision"]:
            continue
        if new["change"] == "removed":
            if old is not None and old["change"] != "removed":
                out.records.append(RecordChange(rid, new["kind"], "removed"))
            continue
        if old is None or old["change"] == "removed":
            out.records.append(
                RecordChange(rid, new["kind"], "added" if old is None else "restored")
            )
            continue
        lines = diff(_content(old), _content(new))
        if lines:
            out.records.append(RecordChange(rid, new["kind"], "edited", tuple(lines)))
    runs_before = _latest(data.all_runs, "record_id", since)
    runs_after = _latest(data.all_runs, "record_id", until)
    for rid in sorted(runs_after):
        new_run, old_run = runs_after[rid], runs_before.get(rid)
        if old_run is None:
            out.results.append(
                ResultMove(rid, new_run["analysis"], "new", None, new_run["result_sha256"])
            )
        elif _computed_differently(old_run, new_run):
            out.results.append(
                ResultMove(
                    rid,
                    new_run["analysis"],
                    "changed",
                    old_run["result_sha256"],
                    new_run["result_sha256"],
                )
            )
    return out


def _computed_differently(old: dict, new: dict) -> bool:
    """Whether two runs' results differ in what they computed; a rerun that only wrote new
    times and provenance is no change (older runs without a content hash: by file hash)."""
    a, b = old.get("result_content_sha256"), new.get("result_content_sha256")
    if a and b:
        return a != b
    return old["result_sha256"] != new["result_sha256"]


def _content(rev: dict) -> dict[str, Any] | None:
    return json.loads(rev["content_json"]) if rev.get("content_json") else None


def ingest_history(data: ReportData) -> list[Changes]:
    """The changes of every ingest against the one before it, newest first."""
    ids = [i["id"] for i in data.ingests]
    return [changes_between(data, prev, cur) for prev, cur in zip([0, *ids], ids, strict=False)][
        ::-1
    ]


def resolve_ingest(data: ReportData, ref: str, records_dir: Path | None = None) -> int:
    """An ingest id from `ref`: an ingest number, or a git commit (a prefix, branch or tag)
    whose state is meant. 0 stands for the empty database.

    A commit is matched two ways, and the latest ingest either finds wins: an ingest made on a
    clean checkout of it, or (with `records_dir`, through git) the last ingest after which the
    database held exactly the commit's record files, by git's content ids. The second finds the
    commit made after its ingest (edit, `snakemake`, then `git commit`).
    """
    from labledger.errors import LabledgerError

    if ref.isdigit():
        number = int(ref)
        if number == 0 or any(i["id"] == number for i in data.ingests):
            return number
        raise LabledgerError(f"no ingest {number} in the database")
    matches = [
        i["id"]
        for i in data.ingests
        if (i.get("git_commit") or "").startswith(ref) and not i.get("git_dirty")
    ]
    if records_dir is not None:
        try:
            matches.extend(_ingests_holding(data, blobs_at(records_dir, ref)))
        except LabledgerError as err:
            if not matches:  # git cannot resolve it here, and no ingest was made on it
                raise LabledgerError(
                    f"no ingest of a commit starting with {ref!r}: {err}"
                ) from None
    if not matches:
        raise LabledgerError(
            f"no ingest of a commit starting with {ref!r}: none was made on it, and after none "
            "did the database hold exactly its record files"
        )
    return max(matches)


def _ingests_holding(data: ReportData, blobs: dict[str, str]) -> list[int]:
    """Ingests after which the active records are exactly the commit's record files."""
    record_files = {
        path: blob
        for path, blob in blobs.items()
        if path.endswith((".yaml", ".yml")) and not path.startswith(("raw/", "."))
    }
    held = set(record_files.values())
    out = []
    for ingest in data.ingests:
        state = _latest(data.revisions, "record_id", ingest["id"])
        active = [rev for rev in state.values() if rev["change"] != "removed"]
        if len(active) == len(record_files) and all(rev.get("git_blob") in held for rev in active):
            out.append(ingest["id"])
    return out
