"""The SQL database: tables, ingest of records and results, queries, schema migrations, backups."""
