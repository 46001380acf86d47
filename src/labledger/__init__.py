"""labledger: a lab's experiment records in git, validated, analysed and queryable in SQL.

For notebooks::

    import labledger
    df = labledger.query("SELECT * FROM batch_synthesis ORDER BY li2co3_excess_pct")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

try:
    __version__ = version("labledger")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"


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
