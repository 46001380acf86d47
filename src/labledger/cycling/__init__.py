"""Cycling analysis: read cycler files into one table and compute CE, retention and more.

Public API:
- `read_cycling(path, columns=None) -> CyclingData`
- `analyze_cycling(source, cell_type, area_cm2, window, reference_cycle, activation_cycles,
  current_density_mA_cm2, columns) -> HalfCellResult | FullCellResult`
- plots in `labledger.cycling.plots`, demo data in `labledger.demo.cycling`.
"""

from labledger.lazy import lazy_attributes

# Imported on first use (PEP 562), so that `labledger --help` and the CLIs of other analyses do
# not pay for numpy, scipy and pandas.
_WHERE = {
    "ANALYSIS_VERSION": "labledger.cycling.table",
    "CyclingAnalysisError": "labledger.cycling.table",
    "CyclingData": "labledger.cycling.table",
    "FullCellResult": "labledger.cycling.fullcell",
    "HalfCellResult": "labledger.cycling.halfcell",
    "analyze_cycling": "labledger.cycling.analyze",
    "analyze_full_cell": "labledger.cycling.fullcell",
    "analyze_half_cell": "labledger.cycling.halfcell",
    "parse_window": "labledger.cycling.table",
    "read_cycling": "labledger.cycling.readers",
}

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


__getattr__ = lazy_attributes(__name__, _WHERE)
