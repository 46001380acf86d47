"""labledger's installed version, read once on first use (importlib.metadata costs ~40 ms)."""

from __future__ import annotations

import functools


@functools.cache
def labledger_version() -> str:
    """The installed package's version; "0+unknown" when running from an uninstalled tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("labledger")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0+unknown"
