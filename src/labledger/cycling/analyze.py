"""One entry point for every cell type: `analyze_cycling`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labledger.cycling.fullcell import FullCellResult, analyze_full_cell
from labledger.cycling.halfcell import HalfCellResult, analyze_half_cell
from labledger.cycling.readers import read_cycling
from labledger.cycling.table import CyclingAnalysisError, CyclingData

CELL_TYPES = ("half", "full", "anode-free")


def analyze_cycling(
    source: CyclingData | str | Path,
    cell_type: str = "half",
    area_cm2: float | None = None,
    window: tuple[int, int | None] | None = None,
    reference_cycle: int | None = None,
    activation_cycles: int | None = None,
    current_density_mA_cm2: float | None = None,
    columns: dict[str, Any] | None = None,
) -> HalfCellResult | FullCellResult:
    """Read (if given a path) and analyse a cycling record.

    `cell_type` is "half" (Li plating/stripping on a host), "full" or "anode-free". Cycles in
    `window` (first, last; last None = to the end) and `reference_cycle` count analysed cycles,
    i.e. after activation. `area_cm2` in cm2, `current_density_mA_cm2` the nominal value.
    """
    if cell_type not in CELL_TYPES:
        raise CyclingAnalysisError(f"cell type {cell_type!r}: expected one of {CELL_TYPES}")
    if area_cm2 is not None and not area_cm2 > 0:
        raise CyclingAnalysisError(f"area {area_cm2} cm2: expected a positive number")
    data = source if isinstance(source, CyclingData) else read_cycling(source, columns)
    if cell_type == "half":
        if reference_cycle is not None:
            raise CyclingAnalysisError("a reference cycle applies to full and anode-free cells")
        return analyze_half_cell(data, area_cm2, window, activation_cycles, current_density_mA_cm2)
    return analyze_full_cell(data, cell_type, area_cm2, window, reference_cycle, activation_cycles)
