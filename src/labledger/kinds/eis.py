"""Impedance spectra: circuit fit, arcs and conductivity (labledger.eis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labledger.analysis_versions import EIS
from labledger.config_names import PELLET_CIRCUIT
from labledger.kinds import AnalysedKind


def circuit(record: Path, config: dict[str, Any]) -> str:
    """The circuit a spectrum's fit uses: its record's own, or config.yaml's default (a rule
    parameter, so changing the default reruns exactly the spectra that use it)."""
    from labledger.workflow_support import top_level_value

    own = top_level_value(record, "circuit")
    return own or config.get("eis", {}).get("default_circuit", PELLET_CIRCUIT)


KIND = AnalysedKind(
    name="eis",
    folder="eis",
    version=EIS,
    record_model="labledger.records.eis:Eis",
    analysis="labledger.analyses.eis:ANALYSIS",
    results="labledger.db.kind_results.eis:RESULTS",
    report_section="labledger.report.sections.eis:SECTION",
    rule="eis_analysis",
    message="impedance fit of {id}",
    report_category="Impedance",
    report_label="spectrum",
    record_settings={"circuit": circuit},
    kind_settings=lambda config: config.get("eis", {}).get("default_circuit"),
)
