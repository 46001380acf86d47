"""eis: one impedance spectrum of a pellet, an electrode or a cell."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from labledger.formats import eis as eis_formats
from labledger.records.base import RecordBase
from labledger.records.fields import MeasurementC, Percent, Positive, RawFile, RefTo


class Eis(RecordBase):
    kind_folder: ClassVar[str] = "eis"
    id_prefix: ClassVar[str] = "EIS"

    kind: Literal["eis"]
    sample: Annotated[str, RefTo("batch", "electrode", "cell")] = Field(
        description="A batch (pellet of it), an electrode or a cell."
    )
    temperature_C: MeasurementC = 25
    thickness_mm: Positive | None = Field(default=None, description="Pellet thickness.")
    diameter_mm: Positive | None = Field(default=None, description="Electrode diameter.")
    area_cm2: Positive | None = Field(default=None, description="Electrode area (or diameter).")
    relative_density_pct: Percent | None = None
    electrodes: str | None = Field(default=None, description="e.g. sputtered Au.")
    condition: str | None = Field(default=None, description="e.g. pristine, after lithiation.")
    instrument: str | None = None
    amplitude_mV: Positive | None = None
    circuit: str | None = Field(
        default=None, description="Circuit to fit in impedance.py syntax; default from config."
    )
    raw_file: Annotated[str | None, RawFile()] = Field(
        default=None,
        description="Raw spectrum relative to this file; leave out while the file is pending.",
    )
    raw_format: Literal["auto", "csv", "mpt", "mpr", "dta", "z"] = "auto"

    @classmethod
    def raw_head_problem(cls, suffix: str, head: bytes) -> str | None:
        return eis_formats.head_problem(suffix, head)

    def plausibility(self) -> list[tuple[str, str]]:
        problems = []
        if self.diameter_mm is not None and self.area_cm2 is not None:
            problems.append(("area_cm2", "give diameter_mm or area_cm2, not both"))
        if self.thickness_mm is not None and self.diameter_mm is None and self.area_cm2 is None:
            problems.append(("thickness_mm", "a conductivity needs diameter_mm or area_cm2 too"))
        if self.thickness_mm is not None and self.thickness_mm > 20:
            problems.append(
                ("thickness_mm", f"{self.thickness_mm:g} mm is thicker than 20 mm; is it in um?")
            )
        return problems
