"""cell: a coin cell with its electrodes, electrolyte, protocol and cycling file."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from labledger.formats import cycling as cycling_formats
from labledger.records.base import RecordBase, Strict
from labledger.records.fields import MeasurementC, Positive, RawFile, RefTo

Volts = Annotated[float, Field(ge=-5, le=10)]


class Cathode(Strict):
    material: str = Field(description="e.g. NCM622.")
    loading_mg_cm2: Positive | None = None
    areal_capacity_mAh_cm2: Positive | None = None


class Precycle(Strict):
    """Activation before Li deposition, e.g. sweeps between 0 and 2.5 V."""

    voltage_min_V: Volts
    voltage_max_V: Volts
    cycles: Annotated[int, Field(ge=1, le=100)] = 1
    current_density_mA_cm2: Positive | None = None


class Protocol(Strict):
    current_density_mA_cm2: Positive | None = Field(default=None, description="Plating current.")
    areal_capacity_mAh_cm2: Positive | None = Field(default=None, description="Plated per cycle.")
    strip_cutoff_V: Volts | None = Field(default=None, description="Stripping cut-off vs Li.")
    voltage_min_V: Volts | None = None
    voltage_max_V: Volts | None = None
    charge_C_rate: Positive | None = None
    discharge_C_rate: Positive | None = None
    np_ratio: Positive | None = Field(default=None, description="Negative/positive capacity.")
    precycle: Precycle | None = None
    cycles_planned: Annotated[int, Field(ge=1, le=100_000)] | None = None
    temperature_C: MeasurementC = 25


class ColumnSpec(Strict):
    """A raw-file column with a factor to our units (e.g. -1 for an inverted current sign)."""

    column: str
    scale: float = 1.0


class AnalysisOptions(Strict):
    """Choices for this cell's analysis; left out, the defaults of the analysis apply."""

    window_first: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="First cycle of the CE window (cycles after activation)."
    )
    window_last: Annotated[int, Field(ge=1, le=100_000)] | None = None
    reference_cycle: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="Full cells: cycle whose discharge capacity is 100 %."
    )


class Cell(RecordBase):
    kind_folder: ClassVar[str] = "cells"
    id_prefix: ClassVar[str] = "C"

    kind: Literal["cell"]
    cell_type: Literal["half", "full", "anode-free", "symmetric"]
    working_electrode: Annotated[str | None, RefTo("electrode")] = Field(
        default=None, description="The electrode record tested; or give `substrate`."
    )
    substrate: str | None = Field(
        default=None, description="Named bare substrate used instead of an electrode: Cu foil."
    )
    counter_electrode: str = Field(default="Li foil", description="e.g. Li foil, NCM622.")
    cathode: Cathode | None = None
    electrolyte: str
    electrolyte_volume_uL: Positive | None = None
    separator: str | None = None
    cell_format: str = "CR2032"
    area_cm2: Positive = Field(description="Working-electrode area.")
    protocol: Protocol
    cycler: str | None = None
    raw_file: Annotated[str | None, RawFile()] = Field(
        default=None,
        description="Raw cycling file relative to this file; leave out while it is pending.",
    )
    raw_columns: dict[str, str | ColumnSpec] | None = Field(
        default=None,
        description="Map our column names (time_s, cycle, current_mA, voltage_V, capacity_mAh, "
        "...) to the raw file's headers, where they are not recognised.",
    )
    analysis: AnalysisOptions | None = None

    @classmethod
    def raw_head_problem(cls, suffix: str, head: bytes) -> str | None:
        return cycling_formats.head_problem(suffix, head)

    def plausibility(self) -> list[tuple[str, str]]:
        problems = []
        if (self.working_electrode is None) == (self.substrate is None):
            problems.append(("working_electrode", "give either working_electrode or substrate"))
        if self.cell_type in ("full", "anode-free") and self.cathode is None:
            problems.append(("cathode", f"a {self.cell_type} cell needs its cathode"))
        p = self.protocol
        if (
            p.voltage_min_V is not None
            and p.voltage_max_V is not None
            and p.voltage_min_V >= p.voltage_max_V
        ):
            problems.append(
                ("protocol.voltage_max_V", f"{p.voltage_max_V:g} V is not above the minimum")
            )
        a = self.analysis
        if a and a.window_first and a.window_last and a.window_last < a.window_first:
            problems.append(("analysis.window_last", "the window ends before it starts"))
        if a and a.reference_cycle and self.cell_type not in ("full", "anode-free"):
            problems.append(("analysis.reference_cycle", "only full and anode-free cells have one"))
        if self.area_cm2 > 10:
            problems.append(("area_cm2", f"{self.area_cm2:g} cm2 is large for a coin cell; mm2?"))
        return problems
