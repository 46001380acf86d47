"""The analysed record kinds, declared once each: xrd (`kinds/xrd.py`), eis, cell.

A kind's module defines `KIND = AnalysedKind(...)`: the record kind it analyses and its record
model (which also says which raw files it takes: `RecordBase.raw_head_problem`), its folders,
its analysis (entry point and version), its result tables with their loading and views, its
report section, what of config.yaml or the record the analysis reads
(the workflow makes those its jobs' parameters, so a change reruns exactly the jobs it
affects), and how the workflow's rule and `snakemake --report` name it. The Snakefile, the
analyses, the shard jobs, the ingest, the views, the report and the command line read this
registry instead of spelling the kinds.

A lab's own kind lives in its own module (importable: installed, or on PYTHONPATH) that
defines `KIND`; `$LABLEDGER_KINDS` names such modules, comma-separated, and `analysed_kinds()`
adds them to the built-in ones and their record models to the record kinds.

The registry imports nothing heavy: the Snakefile reads it on every invocation. Whatever lives
in a higher layer (record model, analysis, results, report section) is named as
"module:attribute" and imported only by who uses it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labledger.errors import LabledgerError

#: Modules of a lab's own kinds, comma-separated ("mylab.tga,mylab.dsc"), each defining KIND.
KINDS_ENV = "LABLEDGER_KINDS"

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
    record_model: str  # "module:attribute" of its record model (a `labledger.records.RecordBase`)
    analysis: str  # "module:attribute" of its `labledger.analyses.Analysis`
    results: str  # "module:attribute" of its `labledger.db.kind_results.KindResults`
    report_section: str  # "module:attribute" of its `labledger.report.sections.Section`
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

    def load_record_model(self) -> Any:
        """The record model class of this kind (imports its module)."""
        return load_object(self.record_model)

    def load_analysis(self) -> Any:
        """The `labledger.analyses.Analysis` of this kind (imports the analysis module)."""
        return load_object(self.analysis)

    def load_results(self) -> Any:
        """The `labledger.db.kind_results.KindResults` of this kind: its result tables, how a
        result file becomes their rows, and its views."""
        return load_object(self.results)

    def load_report_section(self) -> Any:
        """The `labledger.report.sections.Section` of this kind."""
        return load_object(self.report_section)


def load_object(ref: str) -> Any:
    """The object a "module:attribute" reference names, or a clear error naming it."""
    module, _, attr = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as err:
        raise LabledgerError(f"cannot load {ref!r} of an analysed kind: {err}") from None


_EXTENSIONS: dict[str, tuple[AnalysedKind, ...]] = {}


def extension_kinds() -> tuple[AnalysedKind, ...]:
    """The kinds of the modules $LABLEDGER_KINDS names (imported once per value of it)."""
    names = os.environ.get(KINDS_ENV, "").strip()
    if names not in _EXTENSIONS:
        kinds = []
        for module in filter(None, (n.strip() for n in names.split(","))):
            kind = load_object(f"{module}:KIND")
            if not isinstance(kind, AnalysedKind):
                raise LabledgerError(f"{module}.KIND (${KINDS_ENV}) is not an AnalysedKind")
            kinds.append(kind)
        _EXTENSIONS[names] = tuple(kinds)
    return _EXTENSIONS[names]


def analysed_kinds() -> dict[str, AnalysedKind]:
    """Every analysed kind by name: the built-in ones, then those of $LABLEDGER_KINDS (whose
    record models join the record kinds)."""
    from labledger.kinds import cell, eis, xrd

    out = {k.name: k for k in (xrd.KIND, eis.KIND, cell.KIND)}
    for kind in extension_kinds():
        # only then the record models (pydantic): the Snakefile reads the kinds on every run
        from labledger.records.kinds import register_kind

        if kind.name in out:
            raise LabledgerError(f"${KINDS_ENV}: kind {kind.name!r} is already defined")
        register_kind(kind.name, kind.load_record_model())
        out[kind.name] = kind
    return out
