"""Capture the provenance of one analysis run: inputs with sha256, code and library versions."""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import platform
import socket
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from labledger.gitinfo import git_state
from labledger.version import labledger_version

#: Scientific libraries whose versions are recorded with every result.
LIBRARIES = (
    "numpy",
    "scipy",
    "pandas",
    "pydantic",
    "sqlalchemy",
    "matplotlib",
    "pymatgen",
    "xrayutilities",
    "impedance",
    "galvani",
    "NewareNDA",
    "openpyxl",
    "snakemake",
)


@functools.cache
def library_versions() -> dict[str, str]:
    """Installed versions of the scientific libraries (absent ones left out)."""
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def now_utc() -> str:
    """The current UTC time, ISO 8601 to the millisecond."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def code_state(root: Path) -> dict[str, Any]:
    """labledger's version and the git commit (and dirty flag) of the project at `root`."""
    commit, dirty = git_state(root)
    return {"labledger_version": labledger_version(), "git_commit": commit, "git_dirty": dirty}


def run_environment() -> dict[str, Any]:
    """Who ran it, where, with which Python and libraries."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = None
    return {
        "host": socket.gethostname(),
        "user": user,
        "python": platform.python_version(),
        "libraries": library_versions(),
    }
