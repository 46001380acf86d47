"""Which database the workflow's jobs write, as a rerun key and as shown in messages.

$LABLEDGER_DATABASE_URL, else config.yaml's `database_url`, else the SQLite file in the results
folder; the Snakefile (`workflow/rules/common.smk`) asks here.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from labledger.config_names import DATABASE_URL_ENV
from labledger.db.urls import display_url


def database_identity(configured_url: str | None, results_dir: str) -> str:
    """A digest of the database the jobs write: $LABLEDGER_DATABASE_URL, else config.yaml's
    `database_url`, else the SQLite file in `results_dir`. When that SQLite file is gone, the
    ingest's stamp goes too, so the next run builds the database again."""
    url = os.environ.get(DATABASE_URL_ENV) or configured_url
    if not url:
        stamp = Path(results_dir, "ingest.done")
        if stamp.exists() and not Path(results_dir, "labledger.db").exists():
            stamp.unlink()
        return "default"
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def shown_database(configured_url: str | None, results_dir: str) -> str:
    """The database the jobs write, fit for a message (no password)."""
    url = os.environ.get(DATABASE_URL_ENV) or configured_url
    return display_url(url) if url else f"{results_dir}/labledger.db"
