"""The cycling section of a cell's page: its figures of merit, plots and provenance."""

from __future__ import annotations

from typing import Any

from labledger.report.sections import PageParts, Section, builtin_template


def view(parts: PageParts, cell_id: str) -> dict[str, Any] | None:
    """The figures of the cell `cell_id` (its row of `cell_figures`) with its protocol."""
    cell = next(iter(parts.grouped(parts.data.cells, "cell_id").get(cell_id, [])), None)
    if cell is None:
        return None
    return {
        "cell": cell,
        "protocol": (parts.data.contents.get(cell_id) or {}).get("protocol") or {},
        "plot": parts.plot(cell_id),
        "prov": parts.provenance(cell_id),
    }


SECTION = Section(
    anchor="figures",
    title="Cycling figures",
    template=builtin_template("cell.html.j2"),
    view=view,
    pages=("cell",),
)
