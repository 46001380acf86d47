"""Bruker BRML files: a zip of XML whose Experiment0/RawData0.xml holds the scan."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np

from labledger.errors import InputFileError
from labledger.xrd.header import checked_scan, header_number, local_name, parse_xml, wavelength_from
from labledger.xrd.scan import Scan


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def read_brml(path: Path, data: bytes) -> list[Scan]:
    """Bruker BRML: a zip whose Experiment*/RawData*.xml members hold `<Datum>` rows, one scan
    each (RawData0, RawData1, ... in that order).

    Each Datum is `time, flag, axis values..., counts`; the axis order is that of
    `<ScanAxisInfo AxisId=...>` (the 2theta column is the one named TwoTheta).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n for n in zf.namelist() if re.search(r"RawData\d*\.xml$", n, re.I)]
            if not names:
                raise InputFileError(
                    path, "no Experiment*/RawData*.xml inside; expected a Bruker BRML archive"
                )
            names.sort(key=_natural)
            members = [zf.read(n) for n in names]
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,  # a damaged compressed member
        EOFError,
        OSError,
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,  # an encrypted member
        ValueError,  # e.g. "negative seek value" from a damaged directory
    ) as err:
        raise InputFileError(path, f"damaged zip archive ({err}); expected a BRML file") from None
    scans = [_scan(path, xml, name) for name, xml in zip(names, members, strict=True)]
    for i, scan in enumerate(scans):
        scan.metadata.update(scans_in_file=str(len(scans)), scan_index=str(i))
    return scans


def _scan(path: Path, xml: bytes, member: str) -> Scan:
    root = parse_xml(path, xml, f"BRML {member}")
    axes = [el.get("AxisId", "") for el in root.iter() if local_name(el.tag) == "ScanAxisInfo"]
    rows = []
    for el in root.iter():
        if local_name(el.tag) == "Datum" and el.text:
            try:
                rows.append([float(t) for t in el.text.split(",")])
            except ValueError:
                raise InputFileError(path, f"unreadable <Datum> '{el.text[:40]}'") from None
    if not rows:
        raise InputFileError(path, "no <Datum> rows in RawData; expected measured data")
    width = {len(r) for r in rows}
    if len(width) != 1:
        raise InputFileError(path, "<Datum> rows of different lengths; the file is damaged")
    arr = np.asarray(rows, dtype=float)
    col = None
    for i, axis in enumerate(axes):
        if axis.lower() in ("twotheta", "2theta"):
            col = 2 + i
    if col is None:
        col = 2
    if arr.shape[1] < col + 2:
        raise InputFileError(path, "<Datum> rows too short; expected time, flag, 2theta, counts")
    ka1 = ka2 = ratio = None
    anode = None
    for el in root.iter():
        name = local_name(el.tag)
        if name == "WaveLengthAlpha1":
            ka1 = header_number(path, el.get("Value"), "<WaveLengthAlpha1 Value>")
        elif name == "WaveLengthAlpha2":
            ka2 = header_number(path, el.get("Value"), "<WaveLengthAlpha2 Value>")
        elif name == "WaveLengthRatio":
            ratio = header_number(path, el.get("Value"), "<WaveLengthRatio Value>")
        elif name == "Tube":
            anode = el.get("TubeMaterial") or anode
    wl = wavelength_from(ka1, ka2, ratio, anode)
    return checked_scan(path, arr[:, col], arr[:, -1], None, wl, "brml", {"member": member})
