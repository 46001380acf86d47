"""Fuzz tests need a database only where they ingest.

On PostgreSQL the suite gives every test a fresh database (tests/conftest.py); at ~1 s per
create and drop on a loaded machine that would triple this folder's run time. Here only tests
marked `database` get one; the others are marked `no_database` and see no
LABLEDGER_DATABASE_URL, as on SQLite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FUZZ_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if FUZZ_DIR in item.path.parents and item.get_closest_marker("database") is None:
            item.add_marker(pytest.mark.no_database)
