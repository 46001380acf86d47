"""Cell records -> cycling analysis (labledger.cycling) with the record's protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labledger.analyses import Analysis, AnalysisOutput
from labledger.analysis_versions import CYCLING
from labledger.config import Config
from labledger.errors import LabledgerError
from labledger.kinds.cell import KIND
from labledger.records.base import RecordBase
from labledger.records.cell import Cell


def cell_params(record: RecordBase, config: Config) -> dict[str, Any]:
    """The parameters a cell's analysis uses, all from its record."""
    assert isinstance(record, Cell)
    p = record.protocol
    options = record.analysis
    window = None
    if options and (options.window_first or options.window_last):
        window = (options.window_first or 2, options.window_last)
    columns = (
        {k: (v if isinstance(v, str) else v.model_dump()) for k, v in record.raw_columns.items()}
        if record.raw_columns
        else None
    )
    params = {
        "cell_type": record.cell_type,
        "area_cm2": record.area_cm2,
        "window": list(window) if window else None,
        "reference_cycle": options.reference_cycle if options else None,
        # The record says how many precycling cycles there were; without it none are excluded
        # (a guess from the voltages could discard every cycle of a short test).
        "activation_cycles": p.precycle.cycles if p.precycle else 0,
        "current_density_mA_cm2": p.current_density_mA_cm2,
        "columns": columns,
    }
    return params


def analyze_cell(
    record: RecordBase, raw: Path, config: Config, plot: Path | None
) -> AnalysisOutput:
    """Coulombic efficiency, nucleation, retention and cycle life of one cell record."""
    from labledger.cycling import analyze_cycling, read_cycling
    from labledger.cycling.plots import plot_summary

    assert isinstance(record, Cell)
    if record.cell_type == "symmetric":
        raise LabledgerError(f"{record.id}: symmetric cells have no cycling analysis yet")
    p = record.protocol
    params = cell_params(record, config)
    window = tuple(params["window"]) if params["window"] else None
    columns = params["columns"]
    data = read_cycling(raw, columns)
    result = analyze_cycling(
        data,
        record.cell_type,
        area_cm2=record.area_cm2,
        window=window,
        reference_cycle=params["reference_cycle"],
        activation_cycles=params["activation_cycles"],
        current_density_mA_cm2=p.current_density_mA_cm2 if record.cell_type == "half" else None,
    )
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        plot_summary(data, result, plot)
    return AnalysisOutput("cycling", CYCLING, params, result.to_dict())


ANALYSIS = Analysis(
    kind=KIND.name, folder=KIND.folder, version=KIND.version, run=analyze_cell, params=cell_params
)
