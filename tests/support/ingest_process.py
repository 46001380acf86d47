"""`labledger ingest` in child processes: start, time, kill, or start several at one moment.

Run as a script (`python -m support.ingest_process [--wait-for FILE] -- ARGS...`) it is the CLI
with two additions the tests need: it can wait for a start file after all imports (a barrier
for parallel ingests), and it prints to stderr the wall-clock moment of every database
transaction's begin and commit (`@phase begin|commit <unix time>`), so a test can find the
window in which the write transaction is open.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
PHASE_MARK = "@phase"
#: Seconds a child ingest may take before a test gives up on it.
TIMEOUT_S = 120


@dataclass
class Finished:
    """A child ingest that ran to its end."""

    code: int
    out: str
    err: str
    seconds: float
    phases: list[tuple[str, float]]  # (begin|commit, seconds after the start of the child)


def child_env(database_url: str | None) -> dict[str, str]:
    """The environment of a child ingest: this one, the test modules importable, the URL set."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    env.pop("LABLEDGER_CONFIG", None)
    if database_url is not None:
        env["LABLEDGER_DATABASE_URL"] = database_url
    return env


def plain_command() -> list[str]:
    """`python -m labledger ingest`, exactly as a user runs it."""
    return [sys.executable, "-m", "labledger", "ingest"]


def traced_command(wait_for: Path | None = None) -> list[str]:
    """This module as a script: the CLI plus phase marks (and a barrier with `wait_for`)."""
    cmd = [sys.executable, "-m", "support.ingest_process"]
    if wait_for is not None:
        cmd += ["--wait-for", str(wait_for)]
    return [*cmd, "--", "ingest"]


def start(cmd: list[str], cwd: Path, database_url: str | None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cmd,
        cwd=cwd,
        env=child_env(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], started: float) -> Finished:
    """Wait for a child (started at wall-clock `started`) and collect its output and phases."""
    out, err = proc.communicate(timeout=TIMEOUT_S)
    seconds = time.time() - started
    phases, lines = [], []
    for line in err.splitlines():
        if line.startswith(PHASE_MARK + " "):
            _, name, at = line.split()
            phases.append((name, float(at) - started))
        else:
            lines.append(line)
    return Finished(proc.returncode, out, "\n".join(lines), seconds, phases)


def run(cmd: list[str], cwd: Path, database_url: str | None) -> Finished:
    started = time.time()
    return finish(start(cmd, cwd, database_url), started)


@dataclass
class Killed:
    """A child ingest sent SIGKILL (or that ended before the kill was due)."""

    killed: bool  # False: it had ended by itself, the kill probed nothing
    at: float  # seconds after the start of the child
    phases: list[tuple[str, float]]  # the marks it printed before dying


def _parse_mark(line: str, started: float) -> tuple[str, float] | None:
    if not line.startswith(PHASE_MARK + " "):
        return None
    _, name, at = line.split()
    return name, float(at) - started


def run_and_kill(
    cwd: Path, database_url: str | None, delay_s: float, *, after_begin: int = 0
) -> Killed:
    """Start a traced ingest and SIGKILL it `delay_s` seconds after its start or, with
    `after_begin=n`, after it printed its n-th transaction begin (read live from its stderr,
    so that a kill lands in the same phase however slow the start-up is)."""
    proc = start(traced_command(), cwd, database_url)
    started = time.time()
    marks: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            marks.put(line)
        marks.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    phases, anchor, ended = [], started, after_begin == 0
    while not ended:
        line = marks.get(timeout=TIMEOUT_S)
        if line is None:
            ended = True
        elif (mark := _parse_mark(line, started)) is not None:
            phases.append(mark)
            if sum(name == "begin" for name, _ in phases) == after_begin:
                anchor, ended = time.time(), True
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=max(0.0, anchor + delay_s - time.time()))
    at = time.time() - started
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=TIMEOUT_S)
    reader.join(timeout=TIMEOUT_S)
    while (line := marks.get_nowait() if not marks.empty() else None) is not None:
        if (mark := _parse_mark(line, started)) is not None and mark not in phases:
            phases.append(mark)
    assert proc.stdout is not None
    proc.stdout.close()
    return Killed(killed and proc.returncode == -signal.SIGKILL, at, phases)


def run_together(folders: list[Path], database_url: str | None, start_file: Path) -> list[Finished]:
    """One ingest per project folder, all released at the same moment once every child has
    imported everything (each waits for `start_file`, which must not exist yet)."""
    assert not start_file.exists()
    procs = [start(traced_command(start_file), folder, database_url) for folder in folders]
    deadline = time.monotonic() + TIMEOUT_S
    while len(list(start_file.parent.glob(f"{start_file.name}.*.ready"))) < len(procs):
        assert time.monotonic() < deadline, "children never got ready"
        assert all(p.poll() is None for p in procs), "a child ended before the start"
        time.sleep(0.01)
    started = time.time()
    start_file.touch()
    return [finish(p, started) for p in procs]


def _trace_phases() -> None:
    from sqlalchemy import Engine, event

    def mark(name: str):  # type: ignore[no-untyped-def]
        def listener(*_args: object) -> None:
            print(f"{PHASE_MARK} {name} {time.time():.6f}", file=sys.stderr, flush=True)

        return listener

    event.listen(Engine, "begin", mark("begin"))
    event.listen(Engine, "commit", mark("commit"))


def _main(argv: list[str]) -> int:
    from labledger.cli import run as run_cli
    from labledger.db import ingest  # noqa: F401  (imported before the barrier, like the CLI's)

    wait_for = None
    if argv[:1] == ["--wait-for"]:
        wait_for, argv = Path(argv[1]), argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    _trace_phases()
    deadline = time.monotonic() + TIMEOUT_S
    if wait_for is not None:
        Path(f"{wait_for}.{os.getpid()}.ready").touch()
    while wait_for is not None and not wait_for.exists():
        if time.monotonic() > deadline:
            print(f"{wait_for}: start file never appeared", file=sys.stderr)
            return 3
        time.sleep(0.002)
    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
