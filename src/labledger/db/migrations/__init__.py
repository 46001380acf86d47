"""Alembic migrations of labledger's primary tables; run through `labledger.db.schema`."""
