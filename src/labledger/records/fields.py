"""Field types shared by the record kinds.

Units live in field names (`temperature_C`, `duration_h`); the types here carry the physical
bounds, which appear in the JSON Schema as `minimum`/`maximum` and are checked on load. Markers
(`RefTo`, `RawFile`) tell the validator which fields name other records or raw files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

#: Highest plausible furnace temperature in this lab; above it the value is probably in kelvin.
MAX_FURNACE_C = 1400.0

Percent = Annotated[float, Field(ge=0, le=100)]
"""A fraction in percent, 0-100."""

Positive = Annotated[float, Field(gt=0)]
"""A strictly positive amount (mass, length, area, current ...)."""

NonNegative = Annotated[float, Field(ge=0)]

FurnaceC = Annotated[float, Field(ge=20, le=MAX_FURNACE_C)]
"""A furnace set point in degrees Celsius (room temperature to MAX_FURNACE_C)."""

MeasurementC = Annotated[float, Field(ge=-196, le=MAX_FURNACE_C)]
"""A measurement temperature in degrees Celsius (liquid nitrogen to MAX_FURNACE_C)."""

Hours = Annotated[float, Field(gt=0, le=1000)]
"""A duration in hours (a milling or dwell time of more than six weeks is a typo)."""

RecordId = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", min_length=1, max_length=64),
]
"""A record id: letters, digits, '.', '_' and '-'; the record file is named `<id>.yaml`."""


@dataclass(frozen=True)
class RefTo:
    """Marks a field whose value is the id of another record of one of `kinds`."""

    kinds: tuple[str, ...]

    def __init__(self, *kinds: str) -> None:
        object.__setattr__(self, "kinds", kinds)


@dataclass(frozen=True)
class RawFile:
    """Marks a field whose value is a raw instrument file, relative to the record file."""
