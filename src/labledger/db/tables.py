"""The tables every labledger database has: records, their revisions, ingests, references.

They live in their own `MetaData` (not SQLModel's global one): `import snakemake.api` registers
Snakemake's own tables on the global metadata, and `create_all` must never put those in our
database.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import BigInteger, MetaData, Table, Text
from sqlmodel import Field, SQLModel

metadata = MetaData()


class LedgerTable(SQLModel):
    """Base of labledger's SQLModel tables, bound to labledger's own metadata."""

    metadata = metadata
    if TYPE_CHECKING:
        #: The table SQLAlchemy builds for each `table=True` subclass when the class is made.
        __table__: ClassVar[Table]


class Meta(LedgerTable, table=True):
    """Key-value facts about the database itself (schema version, model hash)."""

    __tablename__ = "ledger_meta"
    key: str = Field(primary_key=True)
    value: str


class Ingest(LedgerTable, table=True):
    """One `labledger ingest` that changed something: when, from which commit, by whom."""

    __tablename__ = "ingest"
    id: int | None = Field(default=None, primary_key=True)
    started_at: dt.datetime
    finished_at: dt.datetime
    git_commit: str | None = None
    git_dirty: bool | None = Field(default=None, description="Records folder had local changes.")
    user: str | None = None
    host: str | None = None
    labledger_version: str
    records_dir: str
    added: int = 0
    modified: int = 0
    removed: int = 0
    unchanged: int = 0


class Record(LedgerTable, table=True):
    """The current state of every record ever ingested; removed ones keep `status='removed'`."""

    __tablename__ = "record"
    id: str = Field(primary_key=True)
    kind: str = Field(index=True)
    path: str = Field(description="Record file relative to the records folder.")
    sha256: str
    revision: int = Field(description="Number of the current revision in record_revision.")
    status: str = Field(default="active", description="active or removed.")
    updated_ingest_id: int = Field(foreign_key="ingest.id")


class RecordRevision(LedgerTable, table=True):
    """Every version of every record file, as it was ingested."""

    __tablename__ = "record_revision"
    record_id: str = Field(primary_key=True)
    revision: int = Field(primary_key=True)
    kind: str
    change: str = Field(description="added, modified, removed or restored.")
    path: str
    sha256: str | None = None
    content_yaml: str | None = Field(default=None, sa_type=Text, description="The file as written.")
    content_json: str | None = Field(default=None, sa_type=Text, description="Validated fields.")
    ingest_id: int = Field(foreign_key="ingest.id", index=True)
    ingested_at: dt.datetime
    git_commit: str | None = Field(default=None, description="HEAD when it was ingested.")
    git_dirty: bool | None = None
    git_blob: str | None = Field(
        default=None,
        index=True,
        description="git's id of the file's content (`git rev-parse COMMIT:PATH`): finds the "
        "revision any commit holds, also one committed after it was ingested.",
    )


class RecordReference(LedgerTable, table=True):
    """Which record names which (current state): the edges of the lineage graph."""

    __tablename__ = "record_reference"
    record_id: str = Field(primary_key=True)
    field: str = Field(primary_key=True)
    target_id: str = Field(index=True)


class RawFile(LedgerTable, table=True):
    """Raw instrument files named by records (current state), with their content hash."""

    __tablename__ = "raw_file"
    record_id: str = Field(primary_key=True)
    field: str = Field(primary_key=True)
    path: str = Field(description="Relative to the records folder.")
    sha256: str
    size_bytes: int = Field(sa_type=BigInteger)
    mtime_ns: int = Field(sa_type=BigInteger, description="Modification time, ns since 1970.")
