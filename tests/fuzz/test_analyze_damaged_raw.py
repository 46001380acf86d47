"""`labledger analyze ID` on a record whose raw file is damaged: a clear error and no result.

Complements the reader fuzzing (test_instrument_files.py) with the whole path a workflow job
takes: record -> raw file -> reader -> analysis -> result JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from fuzz.mutations import time_limit

RAW = {
    "XRD-001": "raw/xrd/XRD-001.xy",
    "EIS-001": "raw/eis/EIS-001.csv",
    "C-001": "raw/cells/C-001.csv",
}
RESULT = {"XRD-001": "xrd/XRD-001.json", "EIS-001": "eis/EIS-001.json", "C-001": "cells/C-001.json"}


def _data_line(raw: bytes, index: int = 40) -> tuple[list[bytes], int]:
    lines = raw.split(b"\n")
    data = [i for i, ln in enumerate(lines) if ln[:1].isdigit()]
    return lines, data[index]


def _huge_value(raw: bytes) -> bytes:
    """One data row's last column set to 1e308 (finite, but its square overflows)."""
    lines, i = _data_line(raw)
    sep = b"," if b"," in lines[i] else b" "
    lines[i] = sep.join([*lines[i].split(sep)[:-1], b"1e308"])
    return b"\n".join(lines)


def _overflowing_value(raw: bytes) -> bytes:
    lines, i = _data_line(raw)
    sep = b"," if b"," in lines[i] else b" "
    lines[i] = sep.join([*lines[i].split(sep)[:-1], b"1e999"])
    return b"\n".join(lines)


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda raw: b"",
    "binary-garbage": lambda raw: bytes(range(256)) * 8,
    "utf16": lambda raw: raw.decode("utf-8").encode("utf-16"),
    "huge-value": _huge_value,
    "overflowing-value": _overflowing_value,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("record_id", sorted(RAW))
def test_analyze_damaged_raw_file(project, cli, record_id: str, damage: str) -> None:
    raw = project.records / RAW[record_id]
    raw.write_bytes(DAMAGE[damage](raw.read_bytes()))
    with time_limit():
        result = cli("analyze", record_id, cwd=project.root)
    output = project.root / "results" / RESULT[record_id]
    assert "Traceback" not in result.out + result.err
    if (record_id, damage) == ("EIS-001", "overflowing-value"):
        # by design: an impedance row with an unreadable (here infinite) value is dropped, and
        # the result says so
        assert result.code == 0, result.err
        notes = json.loads(output.read_text())["result"]["notes"]
        assert any("dropped 1 row(s)" in n for n in notes), notes
        return
    assert result.code == 1, f"{damage} analysed without complaint: {result.out}"
    assert raw.name in result.err and result.err.startswith("error:"), result.err
    assert not output.exists() and not output.with_name(output.name + ".tmp").exists()


def test_wrong_format_under_the_record(project, cli) -> None:
    """An impedance table where the XRD record expects a scan: refused, nothing written."""
    raw = project.records / RAW["XRD-001"]
    raw.write_bytes((project.records / RAW["EIS-001"]).read_bytes())
    result = cli("analyze", "XRD-001", cwd=project.root)
    assert result.code == 1 and "XRD-001.xy" in result.err and "Traceback" not in result.err
    assert not (project.root / "results" / RESULT["XRD-001"]).exists()
