"""batch: one powder synthesis (or one bought powder)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from labledger.records.base import RecordBase, Strict
from labledger.records.fields import FurnaceC, Hours, Percent, Positive


class Precursor(Strict):
    compound: str = Field(description="Formula or name, e.g. Li2CO3.")
    mass_g: Annotated[float, Field(gt=0, le=5000)] = Field(
        description="Weighed mass in grams (a lab batch: at most 5 kg)."
    )
    purity_pct: Percent | None = None
    supplier: str | None = None


class BallMill(Strict):
    type: Literal["ball_mill"]
    speed_rpm: Annotated[float, Field(gt=0, le=3000)]
    duration_h: Hours
    media: str | None = Field(default=None, description="Jar and ball material, e.g. ZrO2.")
    ball_diameter_mm: Positive | None = None
    ball_to_powder_ratio: Positive | None = Field(default=None, description="By mass.")
    solvent: str | None = Field(default=None, description="e.g. ethanol; empty for dry milling.")
    notes: str | None = None


class _HeatTreatment(Strict):
    temperature_C: FurnaceC = Field(description="Set point in degrees Celsius.")
    dwell_h: Hours
    ramp_C_per_min: Annotated[float, Field(gt=0, le=50)] | None = None
    atmosphere: str = "air"
    notes: str | None = None


class Calcine(_HeatTreatment):
    type: Literal["calcine"]


class Sinter(_HeatTreatment):
    type: Literal["sinter"]
    form: Literal["powder", "pellet"] | None = None


Step = Annotated[BallMill | Calcine | Sinter, Field(discriminator="type")]


class Commercial(Strict):
    supplier: str
    product: str | None = None
    lot: str | None = None


class Batch(RecordBase):
    """One LLTO powder synthesis: precursors, Li2CO3 excess and ordered processing steps.

    A bought powder is a batch with `commercial:` (supplier, product, lot) instead of steps.
    """

    kind_folder: ClassVar[str] = "batches"
    id_prefix: ClassVar[str] = "B"

    kind: Literal["batch"]
    target_formula: str = "Li0.5La0.5TiO3"
    li2co3_excess_pct: Percent | None = Field(
        default=None, description="Li2CO3 above stoichiometry, to offset Li loss on sintering."
    )
    precursors: list[Precursor] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list, description="In the order performed.")
    commercial: Commercial | None = None

    def plausibility(self) -> list[tuple[str, str]]:
        problems = []
        if self.commercial is None:
            if not self.steps:
                problems.append(
                    ("steps", "a synthesised batch needs its steps (or `commercial:` if bought)")
                )
            if self.li2co3_excess_pct is None:
                problems.append(
                    ("li2co3_excess_pct", "required for a synthesised batch (0 if none)")
                )
        elif self.steps:
            problems.append(
                ("commercial", "a commercial batch has no steps; remove one of the two")
            )
        calcines = [s.temperature_C for s in self.steps if isinstance(s, Calcine)]
        for i, step in enumerate(self.steps):
            if isinstance(step, Sinter) and calcines and step.temperature_C < min(calcines):
                problems.append(
                    (
                        f"steps[{i}].temperature_C",
                        f"sintering at {step.temperature_C:g} is below the calcination "
                        f"temperature {min(calcines):g}; is a step mislabelled?",
                    )
                )
        return problems
