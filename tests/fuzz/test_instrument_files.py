"""Fuzz the instrument file readers the way `labledger analyze` calls them.

Seeds are real files (the demo raw files) and files our own writers make for the binary and
zip formats; each example edits one at random (see `mutations.mutated`). Contract: the reader
returns a result or raises an `InputFileError` naming the file, within the hang limit.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from fuzz.mutations import clear_error_or_result, fuzz_settings, mutated, seed_head
from labledger.cycling import read_cycling
from labledger.demo.cycling_synthetic import Segment, build_table, write_land_xlsx
from labledger.eis import read_spectrum
from labledger.errors import InputFileError
from labledger.xrd.bruker_raw import write_bruker_raw
from labledger.xrd.readers import read_scan
from labledger.xrd.writers import write_brml, write_ras
from support.biologic_mpr import gcpl_columns, peis_columns, write_mpr
from support.neware_nda import records_from_table, write_nda, write_ndax

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "records" / "raw"


def _xrd_seeds(folder: Path) -> dict[str, bytes]:
    scan = read_scan(RAW / "xrd" / "XRD-001.xy")
    tt, y = scan.two_theta_deg[::10], scan.counts[::10]
    step = float(tt[1] - tt[0])
    write_ras(folder / "s.ras", tt, y)
    write_brml(folder / "s.brml", tt, y)
    write_bruker_raw(folder / "v3.raw", float(tt[0]), step, y, version=3)
    write_bruker_raw(folder / "v4.raw", float(tt[0]), step, y, version=4)
    return {
        "XRD-001.xy": (RAW / "xrd" / "XRD-001.xy").read_bytes(),
        "XRD-008.xrdml": (RAW / "xrd" / "XRD-008.xrdml").read_bytes(),
        "s.ras": (folder / "s.ras").read_bytes(),
        "s.brml": (folder / "s.brml").read_bytes(),
        "v3.raw": (folder / "v3.raw").read_bytes(),
        "v4.raw": (folder / "v4.raw").read_bytes(),
    }


def _eis_seeds(folder: Path) -> dict[str, bytes]:
    spectrum = read_spectrum(RAW / "eis" / "EIS-001.csv")
    write_mpr(folder / "s.mpr", peis_columns(spectrum.frequency_Hz, spectrum.Z))
    return {
        "EIS-001.csv": (RAW / "eis" / "EIS-001.csv").read_bytes(),
        "EIS-005.mpt": (RAW / "eis" / "EIS-005.mpt").read_bytes(),
        "s.mpr": (folder / "s.mpr").read_bytes(),
    }


def _cycling_table():
    """Three plating/stripping cycles with rest steps (small: 200 points)."""
    segments = []
    for i, q in enumerate([0.9, 0.95, 0.97]):
        segments.append(Segment(i + 1, -1.13, 1.0, lambda x: -0.03 - 0.01 * x, 30))
        segments.append(Segment(i + 1, 1.13, q, lambda x: 0.03 + 0.9 * x**8, 30))
    return build_table(segments, rest_points=3)


def _cycling_seeds(folder: Path) -> dict[str, bytes]:
    table = _cycling_table()
    records = records_from_table(table)
    write_land_xlsx(table, folder / "s.xlsx")
    write_nda(folder / "s.nda", records, version=130)
    write_ndax(folder / "s.ndax", records)
    write_mpr(folder / "s.mpr", gcpl_columns(table), "GCPL")
    return {
        "C-001.csv": seed_head(RAW / "cells" / "C-001.csv", 200),
        "C-008.csv": seed_head(RAW / "cells" / "C-008.csv", 200),
        **{n: (folder / n).read_bytes() for n in ("s.xlsx", "s.nda", "s.ndax", "s.mpr")},
    }


class Seeds(dict):
    """Seed files by kind and name (a short repr keeps hypothesis' failure reports readable)."""

    def __repr__(self) -> str:
        return "<seed files>"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    folder = tmp_path_factory.mktemp("seeds")
    return Seeds(xrd=_xrd_seeds(folder), eis=_eis_seeds(folder), cycling=_cycling_seeds(folder))


READERS: dict[str, Callable[[Path], object]] = {
    "xrd": read_scan,
    "eis": read_spectrum,
    "cycling": read_cycling,
}
XRD_SEEDS = ["XRD-001.xy", "XRD-008.xrdml", "s.ras", "s.brml", "v3.raw", "v4.raw"]
EIS_SEEDS = ["EIS-001.csv", "EIS-005.mpt", "s.mpr"]
CYCLING_SEEDS = ["C-001.csv", "C-008.csv", "s.xlsx", "s.nda", "s.ndax", "s.mpr"]
#: Every suffix a reader accepts: content under the wrong one must still end in a clear error.
SUFFIXES = {
    "xrd": [".xy", ".csv", ".xrdml", ".ras", ".brml", ".raw", ".txt"],
    "eis": [".csv", ".txt", ".mpt", ".mpr", ".DTA", ".z"],
    "cycling": [".csv", ".txt", ".xlsx", ".nda", ".ndax", ".mpr", ".mpt"],
}


def _read(tmp: Path, kind: str, name: str, data: bytes) -> object:
    path = tmp / name
    path.write_bytes(data)
    try:
        return clear_error_or_result(lambda: READERS[kind](path), path)
    finally:
        path.unlink()


def _check_mutated(tmp_path_factory, seeds, kind: str, choice: str, data: bytes) -> None:
    tmp = tmp_path_factory.mktemp(kind)
    got = _read(tmp, kind, choice, data)
    event("refused" if isinstance(got, InputFileError) else "read")


@fuzz_settings(examples=60)
@given(data=st.data(), seed=st.sampled_from(XRD_SEEDS))
def test_xrd_readers(tmp_path_factory, seeds, data, seed) -> None:
    raw = data.draw(mutated(seeds["xrd"][seed]), label="file")
    _check_mutated(tmp_path_factory, seeds, "xrd", seed, raw)


@fuzz_settings(examples=60)
@given(data=st.data(), seed=st.sampled_from(EIS_SEEDS))
def test_eis_readers(tmp_path_factory, seeds, data, seed) -> None:
    raw = data.draw(mutated(seeds["eis"][seed]), label="file")
    _check_mutated(tmp_path_factory, seeds, "eis", seed, raw)


@fuzz_settings(examples=60)
@given(data=st.data(), seed=st.sampled_from(CYCLING_SEEDS))
def test_cycling_readers(tmp_path_factory, seeds, data, seed) -> None:
    raw = data.draw(mutated(seeds["cycling"][seed]), label="file")
    _check_mutated(tmp_path_factory, seeds, "cycling", seed, raw)


@fuzz_settings(examples=40)
@given(
    data=st.data(),
    kind=st.sampled_from(sorted(READERS)),
    other=st.sampled_from(sorted(READERS)),
)
def test_wrong_format_for_the_suffix(tmp_path_factory, seeds, data, kind, other) -> None:
    """Any seed (of any kind, possibly truncated) under any suffix a reader accepts."""
    raw = data.draw(st.sampled_from(sorted(seeds[other].values())), label="content")
    raw = raw[: data.draw(st.integers(0, len(raw)), label="cut")]
    suffix = data.draw(st.sampled_from(SUFFIXES[kind]), label="suffix")
    _check_mutated(tmp_path_factory, seeds, kind, f"wrong{suffix}", raw)


def _rezip(archive: bytes, edit: Callable[[str, bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, edit(info.filename, src.read(info)))
    return out.getvalue()


@fuzz_settings(examples=40)
@given(data=st.data(), which=st.sampled_from(["s.brml", "s.xlsx"]))
def test_zip_members_mutated(tmp_path_factory, seeds, data, which) -> None:
    """A well-formed zip (BRML, xlsx) whose members are damaged: XML mutated or junk."""
    kind = "xrd" if which == "s.brml" else "cycling"
    archive = seeds[kind][which]
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        names = sorted(zf.namelist())
    target = data.draw(st.sampled_from(names), label="member")

    def edit(name: str, content: bytes) -> bytes:
        return data.draw(mutated(content), label=name) if name == target else content

    _check_mutated(tmp_path_factory, seeds, kind, which, _rezip(archive, edit))


# ------------------------------------------------------------- explicit cases and regressions


def _damaged_deflate(archive: bytes) -> bytes:
    """The zip with bytes inside its compressed RawData member overwritten."""
    at = archive.index(b"Experiment0/RawData0.xml") + 60
    return archive[:at] + b"\xff" * 16 + archive[at + 16 :]


#: Inputs that once escaped as another exception than InputFileError: (kind, file name, seed
#: name, edit of the seed).
REGRESSIONS: dict[str, tuple[str, str, str, Callable[[bytes], bytes]]] = {
    "xrdml-non-number-wavelength": (
        "xrd",
        "XRD-008.xrdml",
        "XRD-008.xrdml",
        lambda b: b.replace(b'unit="Angstrom">1.5', b'unit="Angstrom">x1.5'),
    ),
    "xrdml-unknown-encoding": (
        "xrd",
        "XRD-008.xrdml",
        "XRD-008.xrdml",
        lambda b: b.replace(b'encoding="UTF-8"', b'encoding="UTF1e308"'),
    ),
    "brml-non-number-wavelength": (
        "xrd",
        "s.brml",
        "s.brml",
        lambda b: _rezip(
            b, lambda n, c: c.replace(b'WaveLengthAlpha1 Value="', b'WaveLengthAlpha1 Value="x')
        ),
    ),
    "brml-damaged-deflate-stream": ("xrd", "s.brml", "s.brml", _damaged_deflate),
    # the first bytes missing: zipfile seeks before the start ("negative seek value")
    "brml-start-missing": ("xrd", "s.brml", "s.brml", lambda b: b[150:]),
    "csv-time-cell-missing-and-one-unreadable": (
        "cycling",
        "C-001.csv",
        "C-001.csv",
        lambda b: b.replace(b"\n108,", b"\n,", 1).replace(b"\n162,", b"\n1:62:x,", 1),
    ),
    "xlsx-empty-content-types": (
        "cycling",
        "s.xlsx",
        "s.xlsx",
        lambda b: _rezip(b, lambda n, c: b"" if n == "[Content_Types].xml" else c),
    ),
    "xlsx-sheet-xml-truncated": (
        "cycling",
        "s.xlsx",
        "s.xlsx",
        lambda b: _rezip(b, lambda n, c: c[: len(c) // 2] if "worksheets/" in n else c),
    ),
}


@pytest.mark.parametrize("case", sorted(REGRESSIONS))
def test_regressions(tmp_path, seeds, case: str) -> None:
    kind, name, seed, edit = REGRESSIONS[case]
    raw = edit(seeds[kind][seed])
    assert raw != seeds[kind][seed]
    got = _read(tmp_path, kind, name, raw)
    assert isinstance(got, InputFileError), got


def _xy(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _column_cases() -> dict[str, bytes]:
    """Degenerate but well-formed text scans: each must be refused or read correctly."""
    tt = np.linspace(10, 80, 50)
    ok = [f"{a:.3f} {100 + a:.1f}" for a in tt]
    return {
        "empty": b"",
        "blank": b" \n\n\t\n",
        "one-line": _xy(ok[:1]),
        "all-equal-x": _xy([f"30.0 {i}" for i in range(50)]),
        "decreasing-x": _xy(ok[::-1]),
        "zigzag-x": _xy(ok[:25] + ok[10:35]),
        "huge-counts": _xy([f"{a:.3f} 1e308" for a in tt]),
        "overflowing-counts": _xy([f"{a:.3f} 1e999" for a in tt]),
        "nan-counts": _xy([f"{a:.3f} nan" for a in tt]),
        "negative-counts": _xy([f"{a:.3f} -5" for a in tt]),
        "angles-beyond-180": _xy([f"{a * 10:.3f} 100" for a in tt]),
        "zero-wavelength": _xy(["# wavelength_A: 0", *ok]),
        "dot-wavelength": _xy(["# wavelength: .", *ok]),
        "huge-wavelength": _xy(["# wavelength_A: 1e308", *ok]),
        "utf16": "\n".join(ok).encode("utf-16"),
        "latin1-header": "# Probe: Lanthan-Titanat \xe9\xe8\n".encode("latin-1") + _xy(ok),
    }


@pytest.mark.parametrize("case", sorted(_column_cases()))
@pytest.mark.parametrize("suffix", [".xy", ".csv"])
def test_degenerate_text_scans(tmp_path, case: str, suffix: str) -> None:
    path = tmp_path / f"{case}{suffix}"
    path.write_bytes(_column_cases()[case])
    got = clear_error_or_result(lambda: read_scan(path), path)
    if not isinstance(got, InputFileError):
        assert got.n_points >= 10
        assert np.all(np.diff(got.two_theta_deg) > 0)
        assert np.all(np.isfinite(got.counts)) and np.all(got.counts >= 0)
        assert 0.1 < got.wavelength.ka1_a < 5.0, got.wavelength
