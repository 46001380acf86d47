"""Crash safety: `labledger ingest` killed at random moments leaves the database as it was before
the ingest or as an uninterrupted run leaves it, never anything in between, and a plain re-run
completes the work.

Method: time two uninterrupted runs (the "after" state, and when the write transaction begins
and the run ends); then, each time on a fresh copy of the "before" database, start the ingest
and SIGKILL it: a few times during the start-up, every fifth time a uniformly drawn delay after
the child reports its commit (the few milliseconds to the end of the run, in which a kill
lands during the commit or after it), otherwise a uniformly drawn delay after the child
reports that its write transaction began (anchoring on the child's own marks keeps the kills
inside the window however loaded the machine is; a run that ends before its kill was due
shortens the span the next delays are drawn from). The children are the CLI with phase
marks on stderr, forked from a process that has imported labledger (`support.ingest_process.
ForkServer`: no interpreter start-up per kill); the restart runs plain
`python -m labledger ingest`.

Runs on the suite's backend (SQLite file, or PostgreSQL with LABLEDGER_TEST_BACKEND=postgresql).
Tuning for a longer local run: LABLEDGER_CRASH_KILLS (default 50), LABLEDGER_CRASH_RECORDS
(generated records in the change set, default 200); LABLEDGER_CRASH_SEED replays a failure.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

import labledger
from labledger.db.engine import sqlite_path
from labledger.db.ingest import ingest
from support import ingest_process
from support.databases import drop_postgres_database
from support.ledger_checks import (
    copy_database,
    differing_tables,
    integrity_problems,
    normalised_snapshot,
)
from support.record_sets import add_generated_records, edit_note, record_path

KILLS = int(os.environ.get("LABLEDGER_CRASH_KILLS", "50"))
RECORDS = int(os.environ.get("LABLEDGER_CRASH_RECORDS", "200"))
#: Kills drawn from the start-up (before the write transaction begins): the trivial case.
EARLY_KILLS = 5
#: Every n-th kill is drawn from the commit to the end of the run.
COMMIT_EVERY = 5
#: Give up after this many attempts per kill wanted (an attempt whose ingest ended first is
#: not a kill).
MAX_ATTEMPTS = 2
#: Uninterrupted runs timed to find the window of the write transaction.
TIMING_RUNS = 2


def make_change_set(records: Path, n_generated: int) -> None:
    """A change the next ingest needs a long write for: new records, edits and removals."""
    add_generated_records(records, n_generated)
    for rid in ("B-001", "E-001", "XRD-002", "EIS-001", "C-002"):
        edit_note(records, rid, f"{rid} edited for the crash test")
    for rid in ("C-001", "XRD-001"):
        record_path(records, rid).unlink()


class RestorePoint:
    """Fresh copies of one database state; PostgreSQL copies are dropped by `discard`/`close`."""

    def __init__(self, source_url: str, folder: Path) -> None:
        self.source_url, self.folder = source_url, folder
        self.made: list[str] = []

    def fresh(self) -> str:
        url = copy_database(self.source_url, self.folder / f"copy{len(self.made)}.db")
        self.made.append(url)
        return url

    def discard(self, url: str) -> None:
        if sqlite_path(url) is None:
            drop_postgres_database(url)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path(url)}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        for url in self.made:
            self.discard(url)


@contextmanager
def restore_point(source_url: str, folder: Path) -> Iterator[RestorePoint]:
    point = RestorePoint(source_url, folder)
    try:
        yield point
    finally:
        point.close()


def settle(url: str) -> None:
    """Wait until no other session is connected (a killed client's PostgreSQL backend may still
    be finishing, or rolling back, its transaction)."""
    if sqlite_path(url) is not None:
        return
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + 30
        with engine.connect() as conn:
            while conn.execute(
                text(
                    "SELECT COUNT(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one():
                assert time.monotonic() < deadline, f"{url}: sessions still open after a kill"
                conn.rollback()
                time.sleep(0.02)
    finally:
        engine.dispose()


@dataclass
class Timing:
    """Phases of an uninterrupted run, in seconds after its start."""

    write_begins: int  # the write transaction's begin is the n-th begin the run prints
    write_commits: int  # and its commit the n-th commit
    begin_s: float
    commit_s: float
    end_s: float


def timing(run: ingest_process.Finished) -> Timing:
    commit = max(t for name, t in run.phases if name == "commit")
    begins = [t for name, t in run.phases if name == "begin" and t <= commit]
    commits = [t for name, t in run.phases if name == "commit"]
    return Timing(len(begins), len(commits), begins[-1], commit, run.seconds)


def landing(kill: ingest_process.Killed, write_begins: int) -> str:
    """Where in the run a kill landed, from the marks the child printed before it died."""
    names = [name for name, _ in kill.phases]
    if not kill.killed:
        return "ingest ended first"
    if "commit" in names:
        return "during or after the commit"
    if names.count("begin") >= write_begins:
        return "in the write transaction"
    return "in the start-up"


def source_digest() -> str:
    """Hash of labledger's code: a change during a test changes what an ingest writes."""
    package = Path(labledger.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".sql"):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_killed_ingest_leaves_the_database_before_or_after(project, tmp_path) -> None:
    seed = int(os.environ.get("LABLEDGER_CRASH_SEED", str(time.time_ns() % 10**9)))
    print(f"\ncrash test seed {seed} (replay: LABLEDGER_CRASH_SEED={seed})")
    rng = random.Random(seed)
    ingest(project.config())
    make_change_set(project.records, RECORDS)
    before = normalised_snapshot(project.database_url)
    code = source_digest()
    assert not integrity_problems(project.database_url)

    with (
        restore_point(project.database_url, tmp_path) as copies,
        ingest_process.ForkServer() as server,
    ):
        # Uninterrupted runs: the "after" state and the phases of a run.
        after, after_url, timings = None, "", []
        for _ in range(TIMING_RUNS):
            url = copies.fresh()
            run = server.run(project.root, url)
            assert run.code == 0, run.err
            assert not integrity_problems(url)
            state = normalised_snapshot(url)
            # two uninterrupted runs differ only in what the snapshot masks
            assert after is None or state == after, differing_tables(state, after)
            after, after_url = state, after_url or url
            timings.append(timing(run))
        assert after is not None and differing_tables(before, after)
        print("uninterrupted runs:", timings)
        (write_begins,) = {t.write_begins for t in timings}
        (write_commits,) = {t.write_commits for t in timings}
        start_up = min(t.begin_s for t in timings)
        window = min(t.end_s - t.begin_s for t in timings)
        tail = min(t.end_s - t.commit_s for t in timings)
        finished_after = normalised_snapshot(after_url, renumber_ingests=True)

        seen: Counter[tuple[str, str]] = Counter()
        restarted: set[str] = set()
        attempt = kills = 0
        while kills < KILLS:
            assert attempt < MAX_ATTEMPTS * KILLS, f"too few kills landed: {seen}"
            # a few kills in the start-up; the rest uniformly from the moment the write
            # transaction begins, or (every fifth) from its commit, to the end of the run,
            # anchored on the child's own mark
            early = attempt < EARLY_KILLS
            at_commit = not early and attempt % COMMIT_EVERY == 0
            anchor = ("commit", write_commits) if at_commit else ("begin", write_begins)
            delay = rng.uniform(0, start_up if early else tail if at_commit else window)
            place = f"seed {seed}, attempt {attempt}: kill {delay:.3f} s after the " + (
                "start" if early else "commit" if at_commit else "write transaction began"
            )
            attempt += 1
            url = copies.fresh()
            kill = ingest_process.run_and_kill(
                project.root, url, delay, anchor=None if early else anchor, server=server
            )
            settle(url)
            problems = integrity_problems(url)
            assert not problems, f"{place}: {problems}"
            state = normalised_snapshot(url)
            outcome = "before" if state == before else "after" if state == after else "torn"
            assert outcome != "torn", (
                f"{place}: tables differ from before {differing_tables(state, before)}, "
                f"from after {differing_tables(state, after)}"
                + ("; labledger's code changed during the test" if source_digest() != code else "")
            )
            where = landing(kill, write_begins)
            seen[(where, outcome)] += 1
            kills += where != "ingest ended first"
            if kill.ended_after is not None and not early:
                # this run was quicker than the timing runs (the machine's load changes):
                # draw the next delays from its span, so that they still land in a run
                if at_commit:
                    tail = min(tail, kill.ended_after)
                else:
                    window = min(window, kill.ended_after)
            if where in ("in the start-up", "in the write transaction"):
                assert outcome == "before", f"{place}: {where}, yet committed"
            if where == "ingest ended first":
                assert outcome == "after", f"{place}: the ingest ended but did not commit"
            elif outcome not in restarted:
                # restart: a plain re-run completes the interrupted work
                rerun = ingest_process.run(ingest_process.plain_command(), project.root, url)
                assert rerun.code == 0 and "Traceback" not in rerun.err, f"{place}: {rerun.err}"
                assert normalised_snapshot(url, renumber_ingests=True) == finished_after, place
                restarted.add(outcome)
            copies.discard(url)

    left: Counter[str] = Counter()
    for (where, outcome), n in seen.items():
        left[outcome] += n if where != "ingest ended first" else 0
    print(f"{kills} kills in {attempt} attempts (where the kill landed, state it left):")
    for (where, outcome), n in sorted(seen.items()):
        print(f"  {n:3d}  {where:30s} {outcome}")
    print(f"  {left['before']} left 'before', {left['after']} left 'after'")
    # both outcomes among real kills: the kills did probe both sides of the commit
    assert left["before"] >= 1 and left["after"] >= 1, seen
    assert restarted == {"before", "after"}
