"""XRD scans: phase identification, weight fractions and cells (labledger.xrd)."""

from __future__ import annotations

from labledger.analysis_versions import XRD
from labledger.kinds import AnalysedKind

KIND = AnalysedKind(
    name="xrd",
    folder="xrd",
    version=XRD,
    record_model="labledger.records.xrd:Xrd",
    analysis="labledger.analyses.xrd:ANALYSIS",
    results="labledger.db.kind_results.xrd:RESULTS",
    report_section="labledger.report.sections.xrd:SECTION",
    rule="xrd_analysis",
    message="XRD analysis of {id}",
    report_category="XRD",
    report_label="scan",
    record_settings={"candidates": lambda _record, config: config.get("xrd", {}).get("candidates")},
    kind_settings=lambda config: [
        config.get("xrd", {}).get("candidates"),
        config.get("xrd", {}).get("phases"),
    ],
    extra_inputs=("references/xrd_patterns.json",),
)
