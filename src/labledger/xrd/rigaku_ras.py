"""Rigaku RAS files: every scan of the file (standard library and numpy only).

Layout (text, Latin-1): `*RAS_DATA_START`, then per scan a header `*RAS_HEADER_START` ...
`*KEY "value"` ... `*RAS_HEADER_END` and data `*RAS_INT_START`, lines `2theta intensity
[attenuation factor]`, `*RAS_INT_END`; `*RAS_DATA_END` closes the file. A file written by
SmartLab Guidance can hold several scans; each is returned, with its own header's wavelength.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from labledger.errors import InputFileError
from labledger.xrd.header import checked_scan, decode_text, wavelength_from
from labledger.xrd.scan import Scan

_KEEP = ("FILE_SAMPLE", "MEAS_DATA_COMMENT", "FILE_COMMENT")


def _blocks(path: Path, text: str) -> list[tuple[dict[str, str], list[list[float]]]]:
    """(header, data rows) of every scan; raises `InputFileError` on damaged structure."""
    blocks: list[tuple[dict[str, str], list[list[float]]]] = []
    meta: dict[str, str] = {}
    rows: list[list[float]] = []
    inside = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("*"):
            if line.startswith("*RAS_INT_START"):
                inside, rows = True, []
            elif line.startswith("*RAS_INT_END"):
                if not inside:
                    raise InputFileError(path, "*RAS_INT_END without *RAS_INT_START", lineno)
                blocks.append((meta, rows))
                inside = False
            elif line.startswith("*RAS_HEADER_START"):
                meta = {}
            elif not inside:
                parts = line[1:].split(None, 1)
                if len(parts) == 2:
                    meta[parts[0]] = parts[1].strip().strip('"')
            continue
        if inside:
            try:
                values = [float(t) for t in line.split()]
            except ValueError:
                raise InputFileError(
                    path, f"'{line[:40]}' is not numeric inside *RAS_INT_START", lineno
                ) from None
            if len(values) < 2:
                raise InputFileError(path, "expected '2theta intensity [factor]' lines", lineno)
            rows.append(values)
    if inside:
        raise InputFileError(path, "file ends before *RAS_INT_END; it looks truncated")
    return blocks


def read_ras(path: Path, data: bytes) -> list[Scan]:
    """Every scan of a Rigaku RAS file.

    The intensity is multiplied by the attenuation factor (third column) when present. A scan
    without data lines is an error naming it.
    """

    blocks = _blocks(path, decode_text(path, data, "ras"))
    if not blocks:
        raise InputFileError(path, "no data between *RAS_INT_START and *RAS_INT_END")
    scans = []
    for i, (meta, rows) in enumerate(blocks):
        if not rows:
            raise InputFileError(path, f"scan {i + 1} of {len(blocks)} has no data lines")
        ncol = min(len(r) for r in rows)
        arr = np.asarray([r[:ncol] for r in rows], dtype=float)
        y = arr[:, 1] * (arr[:, 2] if ncol >= 3 else 1.0)

        def num(key: str, meta: dict[str, str] = meta) -> float | None:
            try:
                return float(meta[key])
            except (KeyError, ValueError):
                return None

        wl = wavelength_from(
            num("HW_XG_WAVE_LENGTH_ALPHA1"),
            num("HW_XG_WAVE_LENGTH_ALPHA2"),
            None,
            meta.get("HW_XG_TARGET_NAME"),
        )
        keep = {k: v for k, v in meta.items() if k in _KEEP}
        keep.update(scans_in_file=str(len(blocks)), scan_index=str(i))
        scans.append(checked_scan(path, arr[:, 0], y, None, wl, "ras", keep))
    return scans
