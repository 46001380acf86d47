"""Fixtures for the EIS tests: synthetic spectra and writers of each instrument file dialect.

All files written here are synthetic (made from a known circuit with seeded noise) and say so
in a header where the format has one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labledger.demo.eis import demo_frequencies, pellet_parameters, synthetic_Z

SYNTH = "SYNTHETIC test data made by tests/eis/conftest.py"
PELLET = "p(R1,CPE1)-p(R2,CPE2)-CPE3"


def pellet_spectrum(sigma_bulk: float, sigma_total: float, seed: int = 1, noise: float = 0.005):
    """(f, Z, truth) of a pellet (1 mm, 10 mm diameter) with known conductivities."""
    params, truth = pellet_parameters(sigma_bulk, sigma_total)
    f = demo_frequencies()
    return f, synthetic_Z(PELLET, params, f, noise, seed), truth


@pytest.fixture
def simple_spectrum():
    """A clean R-(R||C) spectrum, 30 points 1 MHz..1 Hz: (f, Z)."""
    f = np.logspace(6, 0, 30)
    w = 2 * np.pi * f
    z = 10 + 100 / (1 + 1j * w * 100 * 1e-6)
    return f, z


def write_gamry(path: Path, f, z, aborted_after: int | None = None) -> Path:
    """A Gamry EISPOT .DTA file with a ZCURVE table (layout of Gamry Framework 7 files)."""
    head = [
        "EXPLAIN",
        "TAG\tEISPOT",
        "TITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier",
        "NOTES\tNOTES\t1\t&Notes...",
        f"\t{SYNTH}",
        "FREQINIT\tQUANT\t1.00000E+006\tInitial Fre&q. (Hz)",
        "ZCURVE\tTABLE",
        "\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange",
        "\t#\ts\tHz\tohm\tohm\tV\tohm\t°\tA\tV\t#",
    ]
    rows = []
    for i, (fi, zi) in enumerate(zip(f, z, strict=True)):
        if aborted_after is not None and i == aborted_after:
            rows.append("EXPERIMENTABORTED\tTOGGLE\tT\tExperiment Aborted")
            break
        rows.append(
            f"\t{i}\t{i + 1}\t{fi:.7g}\t{zi.real:.7g}\t{zi.imag:.7g}\t1\t{abs(zi):.7g}\t"
            f"{np.degrees(np.angle(zi)):.7g}\t-5.9E-006\t-0.34\t9"
        )
    path.write_text("\n".join(head + rows) + "\n", encoding="latin-1")
    return path


def write_zview(path: Path, f, z) -> Path:
    """A ZView/ZPlot2 .z file (header, 'End Comments', tab-separated rows)."""
    head = [
        "ZPLOT2 ASCII",
        "  Measured Data, ZPlot:       3.2c",
        "  Begin User Comments:        1",
        f"    {SYNTH}",
        "  End User Comments:          1",
        f"  Data Points:                {len(f)}",
        "  Freq(Hz)\tAmpl\tBias\tTime(Sec)\tZ'(a)\tZ''(b)\tGD\tErr\tRange",
        "End Comments",
    ]
    rows = [
        f"{fi:.6E}\t1.0000E-02\t0.0000E+00\t{i + 1:.6E}\t{zi.real:.4E}\t{zi.imag:.4E}\t"
        "0.0000E+00\t0\t3"
        for i, (fi, zi) in enumerate(zip(f, z, strict=True))
    ]
    path.write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    return path


def write_table(path: Path, header: str | None, rows: list[list[str]], sep: str = ",") -> Path:
    """A plain table with an optional header line, preceded by a synthetic comment."""
    lines = [f"# {SYNTH}"]
    if header is not None:
        lines.append(header)
    lines += [sep.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def h():
    """The helpers above as one object (test modules cannot import conftest by name)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        pellet_spectrum=pellet_spectrum,
        write_gamry=write_gamry,
        write_zview=write_zview,
        write_table=write_table,
        PELLET=PELLET,
        SYNTH=SYNTH,
    )
