"""Record files: models of each kind, YAML loading with positions, validation, references."""

from labledger.records.kinds import KINDS
from labledger.records.store import check_store

__all__ = ["KINDS", "check_store"]
