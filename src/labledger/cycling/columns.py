"""Header dialects of cycler exports and their mapping onto the normalised table.

A cycler export names its columns in one of many dialects: English (`Current(A)`, `Voltage/V`),
Arbin (`Cycle_Index`, `Charge_Capacity(Ah)`), the Chinese headers of LAND and Neware exports
(`循环号`, `工步号`, `电流/mA`, `电压/V`, `容量/mAh`, `时间`, `比容量/mAh/g`) and BioLogic
(`Ewe/V`, `I/mA`). Each header is split into a name and a unit; the name is matched against the
aliases below and the unit gives the scale to the normalised unit (mA, V, mAh, s).

A user mapping (from a cell record) is a dict normalised-name -> file column, where the value is
either the column name or `{"column": name, "scale": factor}`; the factor multiplies the file's
values to give the normalised unit (e.g. 1000 for a current in A, -1 for an inverted sign).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: The normalised columns every reader returns (plus `direction`, added from the current sign).
NORMALISED = ("time_s", "cycle", "step", "current_mA", "voltage_V", "capacity_mAh")

#: Extra source quantities a reader may use to build `capacity_mAh`.
SOURCE_ONLY = ("charge_capacity_mAh", "discharge_capacity_mAh", "specific_capacity_mAh_g")

#: Names a user may map, with the unit the mapped values must end up in.
MAPPABLE = NORMALISED + SOURCE_ONLY


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Aliases per quantity, compared after `_canonical` (lower case, no spaces/underscores/dashes).
# Earlier aliases are preferred when several headers match one quantity.
_ALIASES: dict[str, tuple[str, ...]] = {
    "time_s": _words("totaltime testtime cumulativetime 总时间 测试时间 累计时间 time elapsedtime "
                     "runtime 时间 相对时间 t"),
    "cycle": _words("cycle cycleindex cyclenumber cycleno cyc cycleid 循环 循环号 循环序号"),
    "step": _words("step stepindex stepnumber stepno ns 工步 工步号 步次 工步序号"),
    "current_mA": _words("current i <i> curr 电流"),
    "voltage_V": _words("voltage potential ewe <ewe> ecell volt v 电压"),
    "capacity_mAh": _words("capacity cap stepcapacity 容量"),
    "charge_capacity_mAh": _words("chargecapacity chgcap chargecap qcharge 充电容量"),
    "discharge_capacity_mAh": _words("dischargecapacity dchgcap dischargecap qdischarge "
                                     "放电容量"),
    "specific_capacity_mAh_g": _words("specificcapacity 比容量"),
}  # fmt: skip

# Unit -> factor to the normalised unit of each kind of quantity.
_CURRENT_UNITS = {"ma": 1.0, "a": 1000.0, "ua": 1e-3, "μa": 1e-3, "µa": 1e-3, "na": 1e-6}
_VOLTAGE_UNITS = {"v": 1.0, "mv": 1e-3}
_CAPACITY_UNITS = {"mah": 1.0, "ah": 1000.0, "uah": 1e-3, "μah": 1e-3, "µah": 1e-3, "ma.h": 1.0}
_TIME_UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hr": 3600.0,
    "ms": 1e-3,
}
_UNITS_BY_QUANTITY = {
    "current_mA": _CURRENT_UNITS,
    "voltage_V": _VOLTAGE_UNITS,
    "capacity_mAh": _CAPACITY_UNITS,
    "charge_capacity_mAh": _CAPACITY_UNITS,
    "discharge_capacity_mAh": _CAPACITY_UNITS,
    "time_s": _TIME_UNITS,
}
_DEFAULT_UNIT = {
    "current_mA": "ma",
    "voltage_V": "v",
    "capacity_mAh": "mah",
    "charge_capacity_mAh": "mah",
    "discharge_capacity_mAh": "mah",
    "time_s": "s",
}

_HEADER = re.compile(r"^\s*(?P<name>.*?)\s*(?:[/(\[]\s*(?P<unit>[^)\]]*?)\s*[)\]]?)?\s*$")


@dataclass(frozen=True)
class ColumnSpec:
    """One normalised quantity taken from one source column, times `scale`."""

    quantity: str
    column: str
    scale: float = 1.0
    unit: str = ""


def _canonical(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s_\-.]+", "", text)


def split_header(header: str) -> tuple[str, str]:
    """Split `电流/mA`, `Current(A)`, `Voltage (V)`, `Q charge/mA.h` into (name, unit)."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    if "/" in text:  # BioLogic and LAND: the unit follows the last '/' ('比容量/mAh/g' -> mAh/g)
        name, _, unit = text.partition("/")
        if name.lower() in {"q charge", "q discharge", "q charge/discharge"}:
            name, _, unit = text.rpartition("/")
        return name.strip(), unit.strip().strip("()[]")
    match = _HEADER.match(text)
    if match is None:  # pragma: no cover - the pattern matches any string
        return text, ""
    return match.group("name").strip(), (match.group("unit") or "").strip()


#: Units of the unit-less headers of Arbin exports (`Current`, `Charge_Capacity`, `Test_Time`):
#: MITS Pro writes SI-based units, A, Ah, V and s.
ARBIN_UNITS = {
    "current_mA": "a",
    "capacity_mAh": "ah",
    "charge_capacity_mAh": "ah",
    "discharge_capacity_mAh": "ah",
}


def unit_scale(quantity: str, unit: str, defaults: dict[str, str] | None = None) -> float | None:
    """Factor from `unit` to the normalised unit of `quantity`; None if the unit is unknown.

    A header without a unit takes the unit in `defaults` (e.g. ARBIN_UNITS), else the
    normalised one (mA, V, mAh, s)."""
    units = _UNITS_BY_QUANTITY.get(quantity)
    if units is None:
        return 1.0
    default = (defaults or {}).get(quantity, _DEFAULT_UNIT[quantity])
    key = _canonical(unit).replace("·", "") if unit else default
    return units.get(key)


def recognise(headers: list[str], defaults: dict[str, str] | None = None) -> dict[str, ColumnSpec]:
    """Map the headers of a file onto normalised quantities by their dialect aliases.

    Where several headers match one quantity, the alias listed first wins (so a total time
    beats a step time). A header whose name matches but whose unit is unknown is not used;
    `容量/mAh/g` is a specific capacity, not a capacity in mAh. `defaults` gives the units of
    unit-less headers (see `unit_scale`).
    """
    found: dict[str, ColumnSpec] = {}
    rank: dict[str, int] = {}
    for header in headers:
        if header in MAPPABLE:  # already in our own normalised form
            found[header], rank[header] = ColumnSpec(header, header, 1.0), -1
            continue
        name, unit = split_header(header)
        key = _canonical(name)
        for quantity, aliases in _ALIASES.items():
            canon = [_canonical(a) for a in aliases]
            if key not in canon:
                continue
            if quantity == "capacity_mAh" and "/g" in unit.lower():
                quantity = "specific_capacity_mAh_g"
            scale = unit_scale(quantity, unit, defaults)
            position = canon.index(key)
            if scale is None or position >= rank.get(quantity, len(canon)):
                continue
            found[quantity], rank[quantity] = ColumnSpec(quantity, header, scale, unit), position
            break
    return found


def from_user_mapping(mapping: dict, headers: list[str]) -> tuple[dict[str, ColumnSpec], list[str]]:
    """Turn a user's mapping into ColumnSpecs; returns (specs, problems)."""
    specs: dict[str, ColumnSpec] = {}
    problems: list[str] = []
    for quantity, value in mapping.items():
        if quantity not in MAPPABLE:
            problems.append(
                f"unknown name {quantity!r} in the column mapping; use one of {', '.join(MAPPABLE)}"
            )
            continue
        if isinstance(value, dict):
            column = value.get("column")
            scale = value.get("scale", 1.0)
        else:
            column, scale = value, None
        if not isinstance(column, str) or column not in headers:
            problems.append(f"mapped column {column!r} for {quantity} is not in the file")
            continue
        if scale is None:  # take the unit from the header when the user gave none
            scale = unit_scale(quantity, split_header(column)[1]) or 1.0
        try:
            scale = float(scale)
        except (TypeError, ValueError):
            problems.append(f"scale {scale!r} for {quantity} is not a number")
            continue
        specs[quantity] = ColumnSpec(quantity, column, scale)
    return specs, problems


def mapping_hint(headers: list[str]) -> str:
    """The message part that lists the columns found and shows how to map them."""
    shown = ", ".join(repr(h) for h in headers[:40])
    more = f" (and {len(headers) - 40} more)" if len(headers) > 40 else ""
    return (
        f"columns found: {shown}{more}. Give a column mapping, e.g. "
        "columns={'current_mA': 'I (A)', 'voltage_V': 'E (V)', 'time_s': 'Time (s)', "
        "'cycle': 'Cycle', 'capacity_mAh': {'column': 'Q (Ah)', 'scale': 1000}}; "
        "current and voltage are required, time or capacity too"
    )
