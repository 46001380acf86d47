"""`labledger ingest` in child processes: start, time, kill, or start several at one moment.

Run as a script (`python -m support.ingest_process [--wait-for FILE] -- ARGS...`) it is the CLI
with two additions the tests need: it can wait for a start file after all imports (a barrier
for parallel ingests), and it prints to stderr the wall-clock moment of every database
transaction's begin and commit (`@phase begin|commit <unix time>`), so a test can find the
window in which the write transaction is open.

`ForkServer` runs the same traced CLI in children forked from one process that has already
imported labledger: a child then costs no interpreter start-up and no imports (about half a
second each), which matters to a test that kills fifty of them. A forked child is an ordinary
process with its own connections; SIGKILL ends it as it ends the CLI.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

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
    return _finished(proc.returncode, out, err, started)


def _finished(code: int, out: str, err: str, started: float) -> Finished:
    seconds = time.time() - started
    phases, lines = [], []
    for line in err.splitlines():
        if (mark := _parse_mark(line, started)) is not None:
            phases.append(mark)
        else:
            lines.append(line)
    return Finished(code, out, "\n".join(lines), seconds, phases)


def run(cmd: list[str], cwd: Path, database_url: str | None) -> Finished:
    started = time.time()
    return finish(start(cmd, cwd, database_url), started)


@dataclass
class Killed:
    """A child ingest sent SIGKILL (or that ended before the kill was due)."""

    killed: bool  # False: it had ended by itself, the kill probed nothing
    at: float  # seconds after the start of the child
    phases: list[tuple[str, float]]  # the marks it printed before dying
    #: When it ended by itself: seconds from the anchor (or the start) to its end.
    ended_after: float | None = None


def _parse_mark(line: str, started: float) -> tuple[str, float] | None:
    if not line.startswith(PHASE_MARK + " "):
        return None
    _, name, at = line.split()
    return name, float(at) - started


class Child(Protocol):
    """A running child ingest: a `subprocess.Popen` one or one forked by `ForkServer`."""

    stdout: IO[str]
    stderr: IO[str]

    def wait_exited(self, timeout: float) -> bool:
        """Whether the child has ended, waiting at most `timeout` seconds."""

    def kill(self) -> None: ...

    def returncode(self) -> int:
        """Its exit code once ended (minus the signal number when a signal ended it)."""


class _Popened:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.proc, self.stdout, self.stderr = proc, proc.stdout, proc.stderr

    def wait_exited(self, timeout: float) -> bool:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)
        return self.proc.poll() is not None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)

    def returncode(self) -> int:
        return self.proc.wait(timeout=TIMEOUT_S)


def run_and_kill(
    cwd: Path,
    database_url: str | None,
    delay_s: float,
    *,
    anchor: tuple[str, int] | None = None,
    server: ForkServer | None = None,
) -> Killed:
    """Start a traced ingest (forked by `server` when given) and SIGKILL it `delay_s` seconds
    after its start or, with `anchor=(name, n)`, after it printed its n-th `name` mark (begin
    or commit; read live from its stderr, so that a kill lands in the same phase however slow
    the start-up is)."""
    started = time.time()
    child: Child = (
        server.start(cwd, database_url)
        if server is not None
        else _Popened(start(traced_command(), cwd, database_url))
    )
    marks: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in child.stderr:
            marks.put(line)
        marks.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    phases, anchored_at, ended = [], started, anchor is None
    while not ended:
        line = marks.get(timeout=TIMEOUT_S)
        if line is None:
            ended = True
        elif (mark := _parse_mark(line, started)) is not None:
            phases.append(mark)
            assert anchor is not None
            if sum(name == anchor[0] for name, _ in phases) == anchor[1]:
                anchored_at, ended = time.time(), True
    exited = child.wait_exited(max(0.0, anchored_at + delay_s - time.time()))
    at = time.time() - started
    ended_after = time.time() - anchored_at if exited else None
    if not exited:
        child.kill()
    code = child.returncode()
    reader.join(timeout=TIMEOUT_S)
    while (line := marks.get_nowait() if not marks.empty() else None) is not None:
        if (mark := _parse_mark(line, started)) is not None and mark not in phases:
            phases.append(mark)
    child.stdout.close()
    child.stderr.close()
    return Killed(not exited and code == -signal.SIGKILL, at, phases, ended_after)


class _Forked:
    """A child of the fork server: its output pipes, a pidfd (signals and waits on exactly that
    process, even once it has ended), and its exit code as the server reports it."""

    def __init__(self, server: ForkServer, pid: int, stdout: IO[str], stderr: IO[str]) -> None:
        self.server, self.pid, self.stdout, self.stderr = server, pid, stdout, stderr
        self.pidfd = os.pidfd_open(pid)
        self._code: int | None = None

    def wait_exited(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.pidfd], [], [], timeout)
        return bool(ready)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)

    def returncode(self) -> int:
        if self._code is None:
            self._code = self.server.exit_code(self.pid)
            os.close(self.pidfd)
        return self._code


class ForkServer:
    """A process that has imported labledger (with the phase marks on) and forks one traced
    `labledger ingest` at a time on request. Use as a context manager."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "support.ingest_process", "--fork-server", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=child_env(None),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._receive("ready")

    def _receive(self, key: str) -> dict[str, object]:
        """The server's next message, which must hold `key`."""
        ready, _, _ = select.select([self._sock], [], [], TIMEOUT_S)
        assert ready, f"fork server: no {key!r} within {TIMEOUT_S} s"
        message = json.loads(self._sock.recv(1 << 16) or b"{}")
        assert key in message, f"fork server ended or answered {message!r}, not {key!r}"
        return message

    def start(
        self, cwd: Path, database_url: str | None, argv: tuple[str, ...] = ("ingest",)
    ) -> Child:
        """Fork a traced `labledger ARGV` in `cwd` on `database_url` (the previous child must
        have ended and been waited for)."""
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        request = {"cwd": str(cwd), "env": child_env(database_url), "argv": list(argv)}
        socket.send_fds(self._sock, [json.dumps(request).encode()], [out_w, err_w])
        os.close(out_w)
        os.close(err_w)
        pid = self._receive("pid")["pid"]
        assert isinstance(pid, int)
        return _Forked(self, pid, os.fdopen(out_r), os.fdopen(err_r))

    def exit_code(self, pid: int) -> int:
        """The exit code of child `pid`, as the server reports it once it has waited for it."""
        message = self._receive("code")
        code, of = message["code"], message.get("pid")
        assert of == pid and isinstance(code, int), f"fork server: code {code!r} of {of!r}"
        return code

    def run(self, cwd: Path, database_url: str | None) -> Finished:
        """A forked traced ingest, run to its end (`run` with `traced_command`, forked)."""
        started = time.time()
        child = self.start(cwd, database_url)
        out, err = [], []
        reader = threading.Thread(target=lambda: err.append(child.stderr.read()), daemon=True)
        reader.start()
        out.append(child.stdout.read())
        reader.join(timeout=TIMEOUT_S)
        code = child.returncode()
        child.stdout.close()
        child.stderr.close()
        return _finished(code, out[0], err[0] if err else "", started)

    def close(self) -> None:
        self._sock.close()  # the server's recv returns b"": it ends
        self._proc.wait(timeout=TIMEOUT_S)

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _serve_forks(fd: int) -> int:
    """The fork server's loop (see `ForkServer`): one request, one child, its exit code."""
    from labledger.cli import run as run_cli
    from labledger.db import ingest  # noqa: F401  (every import done before the first fork)

    _trace_phases()
    sock = socket.socket(fileno=fd)
    sock.send(json.dumps({"ready": True}).encode())
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 2)
        if not message:
            return 0
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:  # the child: the CLI on the pipes it was handed, then exit at once
            code = 70
            try:
                sock.close()
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                os.dup2(fds[0], 1)
                os.dup2(fds[1], 2)
                os.chdir(request["cwd"])
                os.environ.clear()
                os.environ.update(request["env"])
                code = run_cli(request["argv"])
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        for f in fds:
            os.close(f)
        sock.send(json.dumps({"pid": pid}).encode())
        _, status = os.waitpid(pid, 0)
        sock.send(json.dumps({"code": os.waitstatus_to_exitcode(status), "pid": pid}).encode())


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
    if argv[:1] == ["--fork-server"]:
        return _serve_forks(int(argv[1]))
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
