"""Export a whole labledger database to one portable file, and rebuild a database from it.

The file is gzip-compressed JSON Lines (UTF-8, one JSON object per line):

1. A header::

       {"format": "labledger-export", "format_version": 1, "labledger_version": "0.1.0",
        "schema_revision": "0002", "exported_at": "2026-11-26T14:00:00+00:00",
        "tables": {"ingest": [["id", "integer"], ["started_at", "datetime"], ...], ...},
        "rows": {"ingest": 3, ...}}

   `tables` lists every table labledger owns that the database holds, in dependency order
   (a table comes after the tables it references), with its columns in order and their types:
   integer, float, boolean, text, datetime, date or bytes. `rows` counts each table's rows, so a
   file cut short is recognised. `schema_revision` is the Alembic revision of the database
   (`labledger.db.schema`; "0001" for a database made before labledger used Alembic).
2. One line per row, `{"t": "ingest", "r": [1, "2026-11-26T14:00:00", ...]}`: the values in the
   header's column order. Tables follow the header's order, rows their primary key (text keys in
   byte order on every backend), so two exports of equal databases are byte-identical apart from
   `exported_at`, whichever backend they come from.

Values: null, true/false, integers of any size, floats as the shortest decimal that reads back
as the same double (NaN, Infinity and -Infinity as those strings), text as is, datetimes and
dates in ISO 8601 (`2026-11-26T14:00:00.123456`, naive as stored), bytes in base64.

Views are not exported: import recreates them from the views this labledger ships. SQLite itself
stores -0.0 as 0.0 and cannot store NaN (it becomes NULL): an import into SQLite refuses a NaN
rather than lose it; PostgreSQL keeps both.

Export reads in one read transaction (a consistent snapshot: SQLite BEGIN, PostgreSQL REPEATABLE
READ) and writes `FILE.tmp`, renamed to FILE at the end. Import loads into an empty database
(or, with `replace=True`, empties it first) in one write transaction: any problem rolls
everything back and names the file and line. It creates the schema with
`labledger.db.schema.prepare_for_write`, loads the rows in chunks, resets PostgreSQL's id
sequences past the loaded ids and recreates the views. An export of an older schema revision
is loaded into a scratch SQLite database at that revision, migrated there, then imported.

Modules: `format` (the format's name and version, column types, which tables), `dump` (export),
`verify` (reading an export file and checking its header), `restore` (import).
"""

from labledger.db.backup.dump import ExportSummary, export_database
from labledger.db.backup.format import FORMAT, FORMAT_VERSION
from labledger.db.backup.restore import ImportSummary, import_database

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ExportSummary",
    "ImportSummary",
    "export_database",
    "import_database",
]
