"""labledger: a lab's experiment records in git, validated, analysed and queryable in SQL.

For notebooks::

    import labledger
    df = labledger.query("SELECT * FROM batch_synthesis ORDER BY li2co3_excess_pct")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def __getattr__(name: str) -> str:
    # `__version__` on first use: importlib.metadata costs ~40 ms of every command's start-up
    if name != "__version__":
        raise AttributeError(f"module 'labledger' has no attribute {name!r}")
    from labledger.version import labledger_version

    value = labledger_version()
    globals()["__version__"] = value
    return value


def query(
    sql: str, params: dict[str, Any] | None = None, config: Path | None = None
) -> pd.DataFrame:
    """Run a SELECT against the configured database and return a pandas DataFrame.

    The database is the one `labledger` commands use: that of the config.yaml in the current
    folder or the nearest folder above it (so a notebook in a subfolder of the project finds it),
    or `LABLEDGER_DATABASE_URL`. Queries are read-only.
    """
    from labledger.config import load_config
    from labledger.db.query import run_query

    columns, rows = run_query(load_config(config).database_url, sql, params)
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)
