"""The analysed record kinds, declared once each: xrd (`kinds/xrd.py`), eis, cell.

A kind's module defines `KIND = AnalysedKind(...)`: the record kind it analyses, its folders,
its analysis (entry point and version), what of config.yaml or the record the analysis reads
(the workflow makes those its jobs' parameters, so a change reruns exactly the jobs it
affects), and how the workflow's rule and `snakemake --report` name it. The Snakefile, the
analyses, the shard jobs and the command line read this registry instead of spelling the kinds.

The registry imports nothing heavy: the Snakefile reads it on every invocation. The analysis
entry point is named as "module:attribute" and imported only by who runs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Settings the rule of one record passes as parameters: (record file, workflow config) -> value.
RecordSettings = Callable[[Path, dict[str, Any]], Any]
#: Settings of the whole kind (shard jobs): workflow config -> value.
KindSettings = Callable[[dict[str, Any]], Any]


def _none(*_args: Any) -> None:
    return None


@dataclass(frozen=True)
class AnalysedKind:
    """What the project knows about one analysed record kind (see the module docstring)."""

    name: str  # the records' `kind:` ("xrd")
    folder: str  # records/<folder>/ holds the records, results/<folder>/ their results
    version: str  # analysis version: a new one reruns every record of the kind
    analysis: str  # "module:attribute" of its `labledger.analyses.Analysis`
    rule: str  # the workflow rule of one record ("xrd_analysis")
    message: str  # what the rule says it does, "{id}" for the record id
    report_category: str  # `snakemake --report` category and per-plot label
    report_label: str
    #: the rule's parameters besides the version, by name: what the analysis reads
    record_settings: dict[str, RecordSettings] = field(default_factory=dict)
    #: the shard rule's parameter besides the version: the kind-wide settings
    kind_settings: KindSettings = _none
    #: further inputs of every analysis of the kind, relative to the results folder
    extra_inputs: tuple[str, ...] = ()

    def load_analysis(self) -> Any:
        """The `labledger.analyses.Analysis` of this kind (imports the analysis module)."""
        module, _, attr = self.analysis.partition(":")
        return getattr(importlib.import_module(module), attr)


def analysed_kinds() -> dict[str, AnalysedKind]:
    """Every analysed kind by name."""
    from labledger.kinds import cell, eis, xrd

    return {k.name: k for k in (cell.KIND, eis.KIND, xrd.KIND)}
