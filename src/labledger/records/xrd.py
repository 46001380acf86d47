"""xrd: one powder diffraction scan of a batch or an electrode."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from labledger.formats import xrd as xrd_formats
from labledger.records.base import RecordBase
from labledger.records.fields import Positive, RawFile, RefTo

TwoTheta = Annotated[float, Field(ge=0, le=180)]


class Xrd(RecordBase):
    kind_folder: ClassVar[str] = "xrd"
    id_prefix: ClassVar[str] = "XRD"

    kind: Literal["xrd"]
    sample: Annotated[str, RefTo("batch", "electrode")] = Field(description="Batch or electrode.")
    instrument: str | None = None
    radiation: str = "Cu Ka"
    two_theta_start_deg: TwoTheta
    two_theta_end_deg: TwoTheta
    step_deg: Annotated[float, Field(gt=0, le=5)]
    time_per_step_s: Positive | None = None
    raw_file: Annotated[str | None, RawFile()] = Field(
        default=None,
        description="Raw scan relative to this file; leave out while the file is pending.",
    )
    raw_format: Literal["auto", "xy", "csv", "xrdml", "ras", "brml", "raw"] = "auto"
    candidate_phases: list[str] | None = Field(
        default=None,
        description="Limit this scan's candidate phases (names from the XRD settings).",
    )

    @classmethod
    def raw_head_problem(cls, suffix: str, head: bytes) -> str | None:
        return xrd_formats.head_problem(suffix, head)

    def plausibility(self) -> list[tuple[str, str]]:
        if self.two_theta_end_deg <= self.two_theta_start_deg:
            return [
                (
                    "two_theta_end_deg",
                    f"{self.two_theta_end_deg:g} is not above the start "
                    f"{self.two_theta_start_deg:g}",
                )
            ]
        return []
