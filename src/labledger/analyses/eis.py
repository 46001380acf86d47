"""EIS records -> circuit fit and conductivity (labledger.eis) with the record's geometry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labledger.analyses import Analysis, AnalysisOutput
from labledger.analysis_versions import EIS
from labledger.config import Config
from labledger.kinds.eis import KIND
from labledger.records.base import RecordBase
from labledger.records.eis import Eis


def eis_params(record: RecordBase, config: Config) -> dict[str, Any]:
    """The parameters a spectrum's fit uses: its circuit (its own or config.yaml's default)
    and the pellet geometry and temperature from its record."""
    assert isinstance(record, Eis)
    return {
        "circuit": record.circuit or config.fields.eis.default_circuit,
        "circuit_from": "record" if record.circuit else "config",
        "thickness_mm": record.thickness_mm,
        "diameter_mm": record.diameter_mm,
        "area_cm2": record.area_cm2,
        "temperature_C": record.temperature_C,
    }


def analyze_eis(record: RecordBase, raw: Path, config: Config, plot: Path | None) -> AnalysisOutput:
    """Fit one impedance spectrum; conductivities when the record gives the pellet geometry."""
    from labledger.eis import Geometry, analyze_spectrum, read_spectrum
    from labledger.eis.plot import nyquist_plot

    assert isinstance(record, Eis)
    geometry = None
    if record.thickness_mm is not None:
        geometry = Geometry.from_options(
            record.thickness_mm, diameter_mm=record.diameter_mm, area_cm2=record.area_cm2
        )
    params = eis_params(record, config)
    circuit = params["circuit"]
    try:
        # a circuit the record names is fitted as named; the configured default may give way
        # to its fallback when an arc lies above the measured window
        result = analyze_spectrum(
            read_spectrum(raw),
            geometry,
            circuit=circuit,
            temperature_C=record.temperature_C,
            choose_circuit=params["circuit_from"] == "config",
        )
    except ValueError as err:  # a circuit that does not parse or cannot fit these data
        from labledger.errors import LabledgerError

        raise LabledgerError(f"{record.id}: circuit {circuit!r}: {err}") from None
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        nyquist_plot(result, plot)
    return AnalysisOutput("eis", EIS, params, result.to_dict())


ANALYSIS = Analysis(
    kind=KIND.name, folder=KIND.folder, version=KIND.version, run=analyze_eis, params=eis_params
)
