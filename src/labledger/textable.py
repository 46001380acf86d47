"""Plain-text, CSV and JSON renderings of query results."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any


def cell_text(value: Any) -> str:
    """A value as a person reads it: floats to 6 significant digits, NULL as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def exact_text(value: Any) -> str:
    """A value for export: floats in full (the shortest text that reads back as the same
    double; whole numbers without '.0'), NULL and NaN as empty."""
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    return cell_text(value)


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: East Asian wide and full-width characters take two,
    combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned text table: numbers right-aligned, text left-aligned (floats to 6 significant
    digits; `format_csv` and `format_json` keep every digit)."""
    texts = [[cell_text(v) for v in row] for row in rows]
    numeric = [
        all(
            isinstance(r[i], int | float) and not isinstance(r[i], bool)
            for r in rows
            if r[i] is not None
        )
        for i in range(len(columns))
    ]
    widths = [
        max([display_width(c)] + [display_width(t[i]) for t in texts])
        for i, c in enumerate(columns)
    ]

    def line(cells: Sequence[str]) -> str:
        parts = [_pad(c, w, num) for c, w, num in zip(cells, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out.extend(line(t) for t in texts)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def format_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row; numbers keep every digit."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[exact_text(v) for v in row] for row in rows])
    return buf.getvalue()


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):  # PostgreSQL's NUMERIC: a JSON number where no digit is lost
        number = int(value) if value == value.to_integral_value() else float(value)
        return number if Decimal(repr(number)) == value else str(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def format_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A JSON list of objects, one per row."""
    data = [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return json.dumps(data, indent=2, default=str, ensure_ascii=False)
