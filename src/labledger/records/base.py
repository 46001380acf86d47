"""What every record kind shares: id, kind, date, operator, notes, and the synthetic label."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from labledger.records.fields import RecordId


class Strict(BaseModel):
    """A part of a record: unknown fields are errors, so typos never vanish silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class RecordBase(Strict):
    """Fields common to every record file. Subclasses set `kind` to a literal."""

    kind_folder: ClassVar[str]
    id_prefix: ClassVar[str]
    if TYPE_CHECKING:
        # Each kind's model declares `kind` as its literal; the type checker sees it here, pydantic
        # there only (a field here would move `kind` in the schema and the stored JSON).
        kind: str

    id: RecordId = Field(description="Unique id; the file is named `<id>.yaml`.")
    date: dt.date = Field(description="Date the sample was made or the measurement taken.")
    operator: str | None = Field(default=None, description="Who made or measured it.")
    notes: str | None = Field(default=None, description="Free text.")
    synthetic: bool = Field(
        default=False,
        description="True when the data are synthetic (made by a generator, not measured).",
    )

    @classmethod
    def raw_head_problem(cls, suffix: str, head: bytes) -> str | None:
        """Why a raw file with this suffix (lower case) and first bytes cannot be this kind's,
        or None. The kinds with raw files answer from their format table (`labledger.formats`),
        the one their readers use, so `check` and the readers agree."""
        return None

    def plausibility(self) -> list[tuple[str, str]]:
        """Cross-field checks the schema cannot express: (field path, message) pairs."""
        return []
