"""The git commit of the records and whether they had uncommitted changes."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_state(folder: Path) -> tuple[str | None, bool | None]:
    """(HEAD commit, dirty) for the git work tree holding `folder`; (None, None) outside git.

    `dirty` is True when anything under `folder` differs from HEAD (edits or untracked files).
    """
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
