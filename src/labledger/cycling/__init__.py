"""Cycling analysis: read cycler files into one table and compute CE, retention and more.

Public API:
- `read_cycling(path, columns=None) -> CyclingData`
- `analyze_cycling(source, cell_type, area_cm2, window, reference_cycle, activation_cycles,
  current_density_mA_cm2, columns) -> HalfCellResult | FullCellResult`
- plots in `labledger.cycling.plots`, demo data in `labledger.cycling.demo`.
"""

from labledger.cycling.analyze import analyze_cycling
from labledger.cycling.fullcell import FullCellResult, analyze_full_cell
from labledger.cycling.halfcell import HalfCellResult, analyze_half_cell
from labledger.cycling.readers import read_cycling
from labledger.cycling.table import (
    ANALYSIS_VERSION,
    CyclingAnalysisError,
    CyclingData,
    parse_window,
)

__all__ = [
    "ANALYSIS_VERSION",
    "CyclingAnalysisError",
    "CyclingData",
    "FullCellResult",
    "HalfCellResult",
    "analyze_cycling",
    "analyze_full_cell",
    "analyze_half_cell",
    "parse_window",
    "read_cycling",
]
