"""The registry of record kinds: name -> model class."""

from __future__ import annotations

from labledger.records.base import RecordBase
from labledger.records.batch import Batch
from labledger.records.cell import Cell
from labledger.records.eis import Eis
from labledger.records.electrode import Electrode
from labledger.records.xrd import Xrd

KINDS: dict[str, type[RecordBase]] = {
    "batch": Batch,
    "electrode": Electrode,
    "xrd": Xrd,
    "eis": Eis,
    "cell": Cell,
}


def kind_names() -> str:
    """The kind names, comma-separated, for messages."""
    return ", ".join(KINDS)


def with_article(kind: str) -> str:
    """'a batch', 'an electrode', 'an xrd' (said ex-ar-dee): a kind name for a sentence."""
    return f"{'an' if kind[:1] in 'aeiox' else 'a'} {kind}"
