"""The git commit of the records and whether they had uncommitted changes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

#: Set by the workflow once per run to {"folder", "commit", "dirty"} of the project folder, so
#: its jobs (hundreds of them) do not each ask git again: records do not change during a run.
GIT_STATE_ENV = "LABLEDGER_GIT_STATE"


def git_state(folder: Path) -> tuple[str | None, bool | None]:
    """(HEAD commit, dirty) for the git work tree holding `folder`; (None, None) outside git.

    `dirty` is True when anything under `folder` differs from HEAD (edits or untracked files).
    Taken from $LABLEDGER_GIT_STATE when that names this very folder.
    """
    known = os.environ.get(GIT_STATE_ENV)
    if known:
        try:
            state = json.loads(known)
            if Path(state["folder"]) == folder.resolve():
                return state["commit"], state["dirty"]
        except (ValueError, KeyError, TypeError):
            pass  # not ours: ask git
    return _ask_git(folder)


def git_state_env(folder: Path) -> str:
    """The value of $LABLEDGER_GIT_STATE for `folder`, asking git now."""
    commit, dirty = _ask_git(folder)
    return json.dumps({"folder": str(folder.resolve()), "commit": commit, "dirty": dirty})


def _ask_git(folder: Path) -> tuple[str | None, bool | None]:
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if head.returncode != 0:
            return None, None
        status = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, None
    return head.stdout.strip(), bool(status.stdout.strip())


def git_blob_id(data: bytes) -> str:
    """The id git gives a file holding `data` (`git hash-object`): the sha1 of
    `blob <size>\\0` followed by the bytes. It names a revision's content whatever commit holds
    it, so a revision ingested before its `git commit` is still found by that commit."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    from labledger.errors import LabledgerError

    try:
        return subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise LabledgerError(f"cannot run git in {folder}: {err}") from None


def resolve_commit(folder: Path, commit: str) -> str:
    """The full hash of `commit` (a prefix, branch or tag) in the repository holding `folder`;
    LabledgerError when there is no repository or no such commit."""
    from labledger.errors import LabledgerError

    done = _git(folder, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    if done.returncode == 0:
        return done.stdout.strip()
    if _git(folder, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise LabledgerError(f"{folder} is not in a git work tree; commits cannot be looked up")
    raise LabledgerError(f"{commit!r} names no commit of the repository holding {folder}")


def blobs_at(folder: Path, commit: str) -> dict[str, str]:
    """Path relative to `folder` -> blob id of every file under `folder` in `commit`."""
    listing = _git(folder, "ls-tree", "-r", "-z", resolve_commit(folder, commit), "--", ".")
    out: dict[str, str] = {}
    for entry in listing.stdout.split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob":
            out[path] = parts[2]
    return out
