"""Bad scans: a clear InputFileError naming the file, or a 'no listed phase' verdict."""

from __future__ import annotations

import numpy as np
import pytest

from labledger.errors import InputFileError
from labledger.xrd.analysis import analyze_scan
from labledger.xrd.readers import read_scan

TT = np.arange(10, 40, 0.02)


def _write(path, counts, header=""):
    lines = [header] if header else []
    lines += [f"{t:.2f} {c:g}" for t, c in zip(TT, counts, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("name", "counts", "header", "message"),
    [
        ("zeros.xy", np.zeros(TT.size), "", "all 1500 intensities are zero"),
        ("negative.xy", np.r_[-5.0, np.full(TT.size - 1, 10.0)], "", "negative intensities"),
        ("wl0.xy", np.full(TT.size, 10.0), "# wavelength: 0", "Ka1 wavelength 0 A"),
        ("wl0b.xy", np.full(TT.size, 10.0), "# Calibrated wavelength = 0.0", "wavelength 0 A"),
    ],
)
def test_bad_scan_is_a_clear_error(tmp_path, name, counts, header, message):
    path = _write(tmp_path / name, counts, header)
    with pytest.raises(InputFileError, match=message) as err:
        read_scan(path)
    assert name in str(err.value)


def test_non_monotonic_axis_is_a_clear_error(tmp_path):
    path = tmp_path / "order.xy"
    path.write_text("10.0 5\n10.2 6\n10.1 7\n" + "".join(f"{10.3 + i / 10} 5\n" for i in range(20)))
    with pytest.raises(InputFileError, match="not monotonic"):
        read_scan(path)


def test_flat_poisson_scan_gets_no_phase(tmp_path, refs):
    counts = np.random.default_rng(1).poisson(200.0, TT.size).astype(float)
    result = analyze_scan(read_scan(_write(tmp_path / "noise.xy", counts)), refs)
    assert result.phases == []
    assert result.verdict["status"] == "not_explained"
    assert result.verdict["unexplained_peaks"] == []
    assert "counting noise" in result.verdict["reasons"][0]
