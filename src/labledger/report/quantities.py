"""How the report prints numbers: one format and one unit per quantity, on every page.

`QUANTITIES` names every quantity the pages print; `quantity_text` gives a value with its unit
as plain text (for tooltips, labels and the study table), and the `fmt_*` functions are the
templates' `num`, `qty`, `val`, `unit` and `tol` filters; `fmt_utc` is the `utc` filter of
stored times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup


def fmt_number(value: Any, digits: int = 3) -> str:
    """A number for a table cell: `digits` significant figures, '' for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ""
        if value == 0:
            return "0"
        if abs(value) < 1e-3 or abs(value) >= 1e5:
            return f"{value:.{digits - 1}e}"
        return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:.0f}"
    return str(value)


@dataclass(frozen=True)
class Quantity:
    """How the report prints one quantity, on every page: its unit and its digits.

    `style` "sig": `digits` significant figures (as `fmt_number`); "fixed": `digits` after the
    decimal point; "sci": `digits` significant figures in e-notation (6.50e-05).
    """

    unit: str
    digits: int
    style: str = "sig"

    def number(self, value: float, signed: bool = False) -> str:
        """`value` in this quantity's format, with a leading + when `signed` and positive."""
        if self.style == "fixed":
            text = f"{value:.{self.digits}f}"
        elif self.style == "sci":
            text = f"{value:.{self.digits - 1}e}"
        else:
            text = fmt_number(float(value), self.digits)
        if text.startswith("-") and not any(c in "123456789" for c in text.split("e")[0]):
            text = text[1:]  # -0.00 is 0.00
        if signed and not text.startswith("-"):
            text = "+" + text
        return text


#: Every quantity the pages print, by the name templates and code pass to `qty`, `val` and
#: `unit`. Digits follow what the quantity is known to: CE to 0.01 %, the study's precision;
#: lattice parameters to 1e-4 A; phase fractions to 0.1 wt % (esd about 0.3 wt %).
QUANTITIES: dict[str, Quantity] = {
    "excess_pct": Quantity("%", 3),
    "phase_wt_pct": Quantity("wt %", 1, "fixed"),
    "content_wt_pct": Quantity("wt %", 3),
    "ce_pct": Quantity("%", 2, "fixed"),
    "ce_points": Quantity("% points", 2, "fixed"),
    "retention_pct": Quantity("%", 1, "fixed"),
    "rwp_pct": Quantity("%", 2, "fixed"),
    "gof": Quantity("", 2, "fixed"),
    "sigma": Quantity("S/cm", 3, "sci"),
    "ea": Quantity("eV", 3, "fixed"),
    "temperature": Quantity("\u00b0C", 0, "fixed"),
    "duration": Quantity("h", 3),
    "speed": Quantity("rpm", 4),
    "current_density": Quantity("mA/cm2", 3),
    "areal_capacity": Quantity("mAh/cm2", 3),
    "np_ratio": Quantity("", 3),
    "overpotential": Quantity("mV", 1, "fixed"),
    "resistance": Quantity("\u03a9", 3),
    "lattice": Quantity("\u00c5", 4, "fixed"),
    "cycles": Quantity("cycles", 0, "fixed"),
    "c_rate": Quantity("C", 2),
    "voltage": Quantity("V", 1, "fixed"),
}


def quantity_text(value: Any, quantity: str, signed: bool = False) -> str:
    """A value of a quantity (a QUANTITIES name) with its unit as plain text, '' for None."""
    q = QUANTITIES[quantity]
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = q.number(value, signed)
    return f"{text} {q.unit}" if q.unit else text


def fmt_value(value: Any, quantity: str, signed: bool = False) -> str:
    """A value of a quantity without its unit (for a column whose heading gives the unit)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return QUANTITIES[quantity].number(value, signed)


def fmt_unit(quantity: str) -> str:
    """The unit of a quantity, for a column heading."""
    return QUANTITIES[quantity].unit


def fmt_quantity(value: Any, quantity: str, missing: str = "none", signed: bool = False) -> Markup:
    """A value with its unit ("6.50e-05 S/cm"), or `missing` greyed out, never a bare unit."""
    text = quantity_text(value, quantity, signed)
    if not text:
        return Markup('<span class="none">{}</span>').format(missing)
    return Markup("{}").format(text)


def fmt_tolerance(value: Any, quantity: str) -> str:
    """A tolerance of a quantity: "+-0.005 %" (3 significant figures: it is no measured value)."""
    if value is None:
        return ""
    unit = QUANTITIES[quantity].unit
    return f"\u00b1{fmt_number(float(value), 3)}" + (f" {unit}" if unit else "")


def fmt_utc(value: Any) -> str:
    """A time the database stores (UTC, without zone; a datetime, or its ISO text on SQLite) as
    "YYYY-MM-DD HH:MM:SS UTC"; anything else as it is."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return "" if value is None else str(value)
