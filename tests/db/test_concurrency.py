"""Concurrency: four `labledger ingest` processes released at the same moment against one database
(SQLite file, or PostgreSQL with LABLEDGER_TEST_BACKEND=postgresql) serialise on the write lock:
each either writes its whole change or finds nothing to do, and no revision is lost.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from labledger.db.ingest import ingest
from support import ingest_process
from support.databases import rows
from support.ledger_checks import integrity_problems
from support.record_sets import add_generated_records, edit_note, folder_state, record_path

SUMMARY = re.compile(r": (\d+) added, (\d+) modified, (\d+) removed")


@dataclass
class Stored:
    sha256: str | None  # None once removed
    revision: int


def ledger_state(url: str) -> dict[str, Stored]:
    """Record id -> current content hash (None when removed) and revision number."""
    return {
        rid: Stored(sha if status == "active" else None, rev)
        for rid, sha, status, rev in rows(url, "SELECT id, sha256, status, revision FROM record")
    }


def expected_revisions(
    state: dict[str, Stored], files: dict[str, str]
) -> set[tuple[str, int, str, str | None]]:
    """The revisions (id, number, change, sha256) an ingest of `files` writes on top of `state`."""
    out = set()
    for rid, sha in files.items():
        old = state.get(rid)
        if old is None:
            out.add((rid, 1, "added", sha))
        elif old.sha256 is None:
            out.add((rid, old.revision + 1, "restored", sha))
        elif old.sha256 != sha:
            out.add((rid, old.revision + 1, "modified", sha))
    for rid, old in state.items():
        if old.sha256 is not None and rid not in files:
            out.add((rid, old.revision + 1, "removed", None))
    return out


def apply(state: dict[str, Stored], revisions: set[tuple]) -> dict[str, Stored]:
    new = dict(state)
    for rid, number, _change, sha in revisions:
        new[rid] = Stored(sha, number)
    return new


def counts(revisions: set[tuple]) -> tuple[int, int, int]:
    """(added, modified, removed) as the ingest table and the CLI count them."""
    changes = [r[2] for r in revisions]
    return changes.count("added"), changes.count("modified"), changes.count("removed")


def check_serialised(
    url: str,
    start: dict[str, Stored],
    first_new_ingest: int,
    runs: list[tuple[Path, ingest_process.Finished]],
) -> list[int]:
    """Replay the ingests the database recorded, in order, from the state `start`: each wrote
    exactly the revisions its records folder called for at its turn, one process said so, and
    every other process found nothing to write. `runs` pairs each process with the records
    folder it ingested; returns the indexes of the processes that wrote, in commit order."""
    for records, run in runs:
        assert run.code == 0, f"{records}: exit {run.code}\n{run.err}"
        assert "Traceback" not in run.err and "locked" not in run.err, run.err
    ingests = rows(
        url,
        "SELECT id, records_dir, added, modified, removed FROM ingest WHERE id >= :first "
        "ORDER BY id",
        first=first_new_ingest,
    )
    state, order = start, []
    for ingest_id, records_dir, *logged in ingests:
        records = Path(records_dir)
        want = expected_revisions(state, folder_state(records))
        got = set(
            rows(
                url,
                "SELECT record_id, revision, change, sha256 FROM record_revision "
                "WHERE ingest_id = :i",
                i=ingest_id,
            )
        )
        assert got == want, f"ingest {ingest_id} from {records}: {sorted(got ^ want)[:10]}"
        assert tuple(logged) == counts(want)
        reporters = [
            n
            for n, (folder, run) in enumerate(runs)
            if n not in order
            and folder.resolve() == records
            and (said := SUMMARY.search(run.out))
            and "nothing to write" not in run.out
            and tuple(map(int, said.groups())) == counts(want)
        ]
        assert reporters, f"no process reported ingest {ingest_id}: {[r.out for _, r in runs]}"
        order.append(reporters[0])
        state = apply(state, want)
    for n, (_, run) in enumerate(runs):
        assert n in order or "nothing to write" in run.out, f"unrecorded ingest: {run.out}"
    assert ledger_state(url) == state
    assert not integrity_problems(url)
    return order


def user_project(tmp_path: Path, source: Path, name: str) -> Path:
    """A project folder of one user: a copy of `source` (a records folder)."""
    root = tmp_path / name
    shutil.copytree(source, root / "records")
    (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    return root


def _user0(records: Path) -> None:
    add_generated_records(records, 20, first_number=20_000)
    edit_note(records, "B-003", "user 0")


def _user1(records: Path) -> None:
    add_generated_records(records, 20, first_number=21_000)
    edit_note(records, "B-003", "user 1")
    record_path(records, "XRD-001").unlink()


def _user2(records: Path) -> None:
    edit_note(records, "E-001", "user 2")
    for rid in ("C-001", "C-002"):
        record_path(records, rid).unlink()


def _user3(records: Path) -> None:
    add_generated_records(records, 8, first_number=23_000)
    edit_note(records, "B-003", "user 3")
    edit_note(records, "EIS-002", "user 3")


def test_four_users_ingest_at_once_and_every_revision_is_kept(project, tmp_path) -> None:
    url = project.database_url
    ingest(project.config())
    start = ledger_state(url)
    (next_id,) = rows(url, "SELECT MAX(id) + 1 FROM ingest")[0]
    folders = {}
    for n, change in enumerate([_user0, _user1, _user2, _user3]):
        root = user_project(tmp_path, project.records, f"user{n}")
        change(root / "records")
        folders[root] = root / "records"
    runs = ingest_process.run_together(list(folders), url, tmp_path / "go")
    order = check_serialised(url, start, next_id, list(zip(folders.values(), runs, strict=True)))
    # every folder differs from every other, so every ingest had something to write
    assert sorted(order) == [0, 1, 2, 3]
    print(f"\ningest order: users {order}")


@pytest.mark.parametrize("database", ["existing", "new"])
def test_four_ingests_of_the_same_change_write_it_once(project, tmp_path, database) -> None:
    """With `new`, the four race to create the database too."""
    url = project.database_url
    start, next_id = {}, 1
    if database == "existing":
        ingest(project.config())
        start = ledger_state(url)
        (next_id,) = rows(url, "SELECT MAX(id) + 1 FROM ingest")[0]
        add_generated_records(project.records, 20)
        edit_note(project.records, "B-003", "edited")
        record_path(project.records, "XRD-001").unlink()
    runs = ingest_process.run_together([project.root] * 4, url, tmp_path / "go")
    order = check_serialised(url, start, next_id, [(project.records, run) for run in runs])
    assert len(order) == 1
