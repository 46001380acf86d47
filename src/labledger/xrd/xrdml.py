"""PANalytical XRDML files: every <scan> of the file (standard library and numpy only).

The radiation comes from <usedWavelength> (kAlpha1, kAlpha2, ratioKAlpha2KAlpha1) and
<anodeMaterial>; each <scan> holds 2Theta <positions> (listPositions, or start and end) and
<counts> or <intensities> (counts/s are multiplied by the common counting time).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from labledger.errors import InputFileError
from labledger.xrd.header import checked_scan, header_number, local_name, parse_xml, wavelength_from
from labledger.xrd.scan import Scan, Wavelength


def read_xrdml(path: Path, data: bytes) -> list[Scan]:
    """PANalytical XRDML: every <scan>'s 2Theta positions and counts (or intensities)."""
    root = parse_xml(path, data, "XRDML file")
    if local_name(root.tag) != "xrdMeasurements":
        raise InputFileError(
            path, f"root element <{local_name(root.tag)}>; expected <xrdMeasurements>"
        )
    by_tag: dict[str, list[ElementTree.Element]] = {}
    for el in root.iter():
        by_tag.setdefault(local_name(el.tag), []).append(el)

    def first_float(tag: str) -> float | None:
        els = by_tag.get(tag)
        return header_number(path, els[0].text, f"<{tag}>") if els else None

    anode = None
    for el in by_tag.get("anodeMaterial", []):
        anode = (el.text or "").strip() or None
    used = by_tag.get("usedWavelength", [])
    intended = (used[0].get("intended") or "").strip() if used else ""
    if intended == "K-Alpha 1":
        # a Ka1 monochromator: the file still lists Ka2 and its ratio, but they did not reach
        # the sample ("K-Alpha" is the Ka1 + Ka2 doublet)
        wl = wavelength_from(first_float("kAlpha1"), None, 0.0, anode)
    else:
        wl = wavelength_from(
            first_float("kAlpha1"),
            first_float("kAlpha2"),
            first_float("ratioKAlpha2KAlpha1"),
            anode,
        )
    scans = by_tag.get("scan", [])
    if not scans:
        raise InputFileError(path, "no <scan> element; expected one measured scan")
    return [_xrdml_scan(path, by_tag, scan, wl, i, len(scans)) for i, scan in enumerate(scans)]


def _xrdml_scan(
    path: Path,
    by_tag: dict[str, list[ElementTree.Element]],
    scan: ElementTree.Element,
    wl: Wavelength,
    index: int,
    n: int,
) -> Scan:
    def first_float(tag: str) -> float | None:
        els = by_tag.get(tag)
        return header_number(path, els[0].text, f"<{tag}>") if els else None

    counts_el = None
    tt_el = None
    for el in scan.iter():
        name = local_name(el.tag)
        if name in ("counts", "intensities") and counts_el is None:
            counts_el = el
        if name == "positions" and el.get("axis") == "2Theta":
            tt_el = el
    which = f"scan {index + 1} of {n}" if n > 1 else "the scan"
    if counts_el is None or not (counts_el.text or "").strip():
        raise InputFileError(path, f"{which} has no <counts> or <intensities>; expected data")
    if tt_el is None:
        raise InputFileError(path, f"{which} has no 2Theta <positions>; expected a 2theta scan")
    try:
        y = np.array((counts_el.text or "").split(), dtype=float)
        listed = [e for e in tt_el if local_name(e.tag) == "listPositions"]
        if listed:
            tt = np.array((listed[0].text or "").split(), dtype=float)
        else:
            start = float(next(e.text or "" for e in tt_el if local_name(e.tag) == "startPosition"))
            end = float(next(e.text or "" for e in tt_el if local_name(e.tag) == "endPosition"))
            tt = np.linspace(start, end, y.size)
    except (ValueError, StopIteration, TypeError):
        raise InputFileError(
            path, "unreadable 2Theta positions or counts; expected numbers"
        ) from None
    if counts_el.get("unit", "counts") == "counts/s":
        time = first_float("commonCountingTime")
        if time:
            y = y * time
    meta = {"scans_in_file": str(n), "scan_index": str(index)}
    for tag in ("sampleName", "name", "startTimeStamp"):
        els = by_tag.get(tag)
        if els and els[0].text:
            meta[tag] = els[0].text.strip()
    return checked_scan(path, tt, y, None, wl, "xrdml", meta)
