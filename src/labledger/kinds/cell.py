"""Coin cells: coulombic efficiency, nucleation, retention and cycle life (labledger.cycling)."""

from __future__ import annotations

from labledger.analysis_versions import CYCLING
from labledger.kinds import AnalysedKind

KIND = AnalysedKind(
    name="cell",
    folder="cells",
    version=CYCLING,
    record_model="labledger.records.cell:Cell",
    analysis="labledger.analyses.cells:ANALYSIS",
    results="labledger.db.kind_results.cell:RESULTS",
    report_section="labledger.report.sections.cell:SECTION",
    rule="cell_analysis",
    message="cycling analysis of {id}",
    report_category="Cells",
    report_label="cell",
)
