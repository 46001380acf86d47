"""The registry of record kinds: name -> model class.

The built-in kinds are listed here; a lab's own analysed kind (`labledger.kinds`,
$LABLEDGER_KINDS) adds its record model with `register_kind` when the kinds are loaded.
"""

from __future__ import annotations

from labledger.errors import LabledgerError
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


#: The kinds that are samples, each with a page of its own in the report; a measurement (xrd,
#: eis, a lab's own kind) is a section of the page of the sample it names.
SAMPLE_KINDS = ("batch", "electrode", "cell")


def register_kind(name: str, model: type[RecordBase]) -> None:
    """Add a record kind (a lab's own); registering the same model again changes nothing."""
    if KINDS.get(name, model) is not model:
        raise LabledgerError(f"record kind {name!r} is already defined")
    KINDS[name] = model


def kind_names() -> str:
    """The kind names, comma-separated, for messages (with where a lab's own kinds come from)."""
    return f"{', '.join(KINDS)} (a lab's own kinds: the modules $LABLEDGER_KINDS names)"


def with_article(kind: str) -> str:
    """'a batch', 'an electrode', 'an xrd' (said ex-ar-dee): a kind name for a sentence."""
    return f"{'an' if kind[:1] in 'aeiox' else 'a'} {kind}"
