"""electrode: a porous anode cast from a batch (or from CNT alone) onto a substrate."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from labledger.records.base import RecordBase
from labledger.records.fields import FurnaceC, Hours, Percent, Positive, RefTo


class Electrode(RecordBase):
    kind_folder: ClassVar[str] = "electrodes"
    id_prefix: ClassVar[str] = "E"

    kind: Literal["electrode"]
    batch: Annotated[str | None, RefTo("batch")] = Field(
        default=None, description="The LLTO batch used; empty for a CNT-only electrode."
    )
    material: str = Field(description="Short label of the active framework: LLTO, LLTO@CNT, CNT.")
    cnt_wt_pct: Percent = Field(default=0, description="Carbon nanotubes, wt % of solids.")
    pmma_wt_pct: Percent = Field(default=0, description="PMMA porogen, wt % of solids.")
    pmma_diameter_um: Positive | None = None
    pmma_removal_C: FurnaceC | None = Field(default=None, description="Burn-out temperature.")
    pmma_removal_h: Hours | None = None
    binder: str | None = None
    binder_wt_pct: Percent | None = None
    solvent: str | None = None
    substrate: str = "Cu foil"
    casting: str | None = Field(default=None, description="e.g. doctor blade.")
    mass_loading_mg_cm2: Positive | None = None
    thickness_um: Positive | None = None
    porosity_pct: Percent | None = None
    porosity_method: Literal["absorption", "mercury", "image", "geometric"] | None = None

    def plausibility(self) -> list[tuple[str, str]]:
        problems = []
        solids = self.cnt_wt_pct + self.pmma_wt_pct + (self.binder_wt_pct or 0)
        if solids > 100:
            problems.append(
                ("cnt_wt_pct", f"CNT, PMMA and binder add up to {solids:g} %, above 100 %")
            )
        if self.batch is None and "LLTO" in self.material:
            problems.append(("batch", f"material {self.material!r} needs the LLTO batch it used"))
        if self.thickness_um is not None and self.thickness_um < 1:
            problems.append(
                ("thickness_um", f"{self.thickness_um:g} um is thinner than 1 um; is it in mm?")
            )
        return problems
