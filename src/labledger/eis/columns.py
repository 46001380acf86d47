"""Column headers of impedance tables read by meaning and unit.

`classify(header)` tells what a column holds: frequency, Z', Z'' (with a minus sign or not), |Z|
or phase, with the factor that converts its unit to Hz, ohm or degrees. Units are read from
`/unit`, `(unit)`, `[unit]`, `_unit` or a trailing ` unit` (Ω, ohm(s), kΩ, kohm, mΩ, MΩ; Hz,
kHz, mHz, MHz; deg, °, rad); names from the spellings of the common instruments and exports
(`Z'`, `Zre`, `Zreal`, `Re(Z)`, `Z Real`, `Z_real`, `-Im(Z)`, `Zim`, `Zimg`, `Z''`, `Z"`,
`|Z|`, `Zmod`, `Z`, `Phase`, `Zphz`, `freq`, `Frequency`, `f`). Columns that are none of these
(time, potential, current, ...) are `None`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Column", "classify"]

_OHM = r"(?:ohms?|Ω|Ω)"
_PREFIX = {"": 1.0, "k": 1e3, "K": 1e3, "m": 1e-3, "M": 1e6, "G": 1e9, "µ": 1e-6, "u": 1e-6}
_UNIT_RE = re.compile(
    r"^(?P<name>.*?)\s*(?:/\s*(?P<a>[^/()\[\]]+?)|\(\s*(?P<b>[^()]+?)\s*\)|\[\s*(?P<c>[^\]]+?)\s*\]"
    r"|_(?P<d>[A-Za-zΩΩ°µ]+)|\s+(?P<e>[A-Za-zΩΩ°µ]+))\s*$"
)

_FREQ = {"f", "freq", "frequency", "frequencies", "fr"}
_REAL = {"z'", "zre", "zreal", "rez", "realz", "re", "real", "zr", "z_re", "zprime", "r"}
_IMAG = {
    "z''",
    'z"',
    "z'''",
    "zim",
    "zimag",
    "zimg",
    "zimaginary",
    "imz",
    "imagz",
    "im",
    "imag",
    "zi",
    "x",
    "zdoubleprime",
}
_MOD = {"|z|", "zmod", "modz", "absz", "mod", "z", "|z|z", "impedance", "zabs", "magnitude"}
_PHASE = {"phase", "phasez", "zphz", "phz", "phi", "theta", "phaseangle", "angle", "zphase"}


@dataclass(frozen=True)
class Column:
    """What one column holds. kind: "f", "re", "im", "mod" or "ph"; scale converts the
    column's unit to Hz, ohm or degrees; negated: the header carries a minus sign (-Z'')."""

    kind: str
    scale: float
    negated: bool
    unit: str
    header: str


class UnitError(ValueError):
    """A unit that cannot be read unambiguously (e.g. MHZ: mega or milli?)."""


def _unit_scale(unit: str) -> tuple[str | None, float]:
    """(kind of the unit, factor to Hz/ohm/deg), or (None, 1) for a unit we do not convert.
    Prefixes are read as written: m is milli, M mega (mOhm, MOhm, mHz, MHz)."""
    u = unit.strip().rstrip(".")
    m = re.fullmatch(r"([kKmMGµu]?)" + _OHM, u, flags=re.IGNORECASE)
    if m:
        return "ohm", _PREFIX[m.group(1)]
    m = re.fullmatch(r"([kKmMG]?)(hz)", u, flags=re.IGNORECASE)
    if m:
        p, hz = m.group(1), m.group(2)
        if p in ("m", "M") and hz in ("HZ", "hz"):
            raise UnitError(f"unit {unit!r} is ambiguous (mHz or MHz?)")
        return "hz", _PREFIX[p]
    if u.lower() in ("deg", "degree", "degrees", "°"):
        return "deg", 1.0
    if u.lower() in ("rad", "radian", "radians"):
        return "rad", 57.29577951308232
    return None, 1.0


def _name_key(name: str) -> tuple[str, bool]:
    s = name.strip().lower()
    s = re.sub(r"\((a|b)\)$", "", s)  # ZPlot's Z'(a), Z''(b)
    neg = s.startswith(("-", "−", "minus"))
    s = re.sub(r"^(-|−|minus)\s*", "", s)
    s = s.replace("’", "'").replace("″", '"')
    s = re.sub(r"[\s_.()\[\]]", "", s)
    return s, neg


def classify(header: str) -> Column | None:
    """Read one column header; None when it is not frequency or impedance. May raise
    UnitError for an ambiguous unit."""
    raw = header.strip()
    if len(raw) > 1 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1].strip()
    raw = re.sub(r"(?i)(z'+|z\")\s*\((a|b)\)\s*$", r"\1", raw)  # ZPlot's Z'(a), Z''(b)
    if not raw:
        return None
    name, unit, scale, unit_kind = raw, "", 1.0, None
    m = _UNIT_RE.match(raw)
    if m and m.group("name"):
        u = next(g for g in (m.group(k) for k in "abcde") if g)
        unit_kind, sc = _unit_scale(u)
        if unit_kind is not None:
            name, unit, scale = m.group("name"), u, sc
        elif m.group("a") or m.group("b") or m.group("c"):
            name, unit = m.group("name"), u  # a unit we do not convert (V, A, s, uF, ...)
    key, neg = _name_key(name)
    if unit and unit_kind is None:
        return None
    if key in _FREQ or key.startswith("freq"):
        return Column("f", scale, False, unit, header) if unit_kind in (None, "hz") else None
    if key in _PHASE or key.startswith("phase"):
        return Column("ph", scale, neg, unit, header) if unit_kind in (None, "deg", "rad") else None
    if unit_kind not in (None, "ohm"):
        return None
    for kind, names in (("re", _REAL), ("im", _IMAG), ("mod", _MOD)):
        if key in names:
            return Column(kind, scale, neg, unit, header)
    return None
