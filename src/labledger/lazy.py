"""Package attributes imported on first use (PEP 562).

The analysis packages re-export their entry points this way, so that `labledger --help`, the
Snakefile and the CLIs of other analyses do not pay for numpy, scipy, pandas or matplotlib.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_attributes(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `where[name]` (a module path) when `name` is used."""

    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(importlib.import_module(where[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
