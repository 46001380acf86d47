"""Each reader on a file of its format, and every bad-file case on its error message."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from labledger.errors import InputFileError
from labledger.xrd.readers import read_scan
from labledger.xrd.scan import Wavelength
from labledger.xrd.writers import write_brml, write_ras, write_scan, write_xrdml, write_xy

TT = np.round(np.arange(10.0, 30.0001, 0.02), 4)
COUNTS = np.random.default_rng(7).poisson(500, TT.size).astype(float)


@pytest.mark.parametrize("suffix", [".xy", ".csv", ".txt", ".xrdml", ".ras", ".brml", ".raw"])
def test_round_trip_every_format(tmp_path, suffix):
    path = write_scan(tmp_path / f"scan{suffix}", TT, COUNTS, ["synthetic test file"])
    scan = read_scan(path)
    assert scan.source_format == {".csv": "xy", ".txt": "xy"}.get(suffix, suffix[1:])
    np.testing.assert_allclose(scan.two_theta_deg, TT, atol=1e-9)
    np.testing.assert_array_equal(scan.counts, COUNTS)


def test_text_headers_comments_commas_and_sigma(tmp_path):
    p = tmp_path / "scan.xye"
    lines = ["Sample: LLTO pellet", "2theta,counts,esd", "# ka1_A: 1.78897", "# anode: Co"]
    lines += [f"{t:.2f}, {y:.0f}, {np.sqrt(y):.2f}" for t, y in zip(TT, COUNTS, strict=True)]
    lines.insert(100, "! a comment in the middle")
    p.write_text("\n".join(lines))
    scan = read_scan(p)
    assert scan.n_points == TT.size
    np.testing.assert_allclose(scan.sigma, np.sqrt(COUNTS), atol=0.01)
    assert scan.wavelength.ka1_a == pytest.approx(1.78897)
    assert scan.wavelength.stated


def test_decreasing_scan_is_reversed(tmp_path):
    p = write_xy(tmp_path / "down.xy", TT[::-1], COUNTS[::-1])
    scan = read_scan(p)
    assert np.all(np.diff(scan.two_theta_deg) > 0)
    np.testing.assert_array_equal(scan.counts, COUNTS)


def test_wavelength_from_xrdml_ras_brml(tmp_path):
    wl = Wavelength(1.78897, 1.79285, 0.5, "Co", True)
    for writer, name in ((write_xrdml, "a.xrdml"), (write_ras, "a.ras"), (write_brml, "a.brml")):
        scan = read_scan(writer(tmp_path / name, TT, COUNTS, ["synthetic"], wl))
        assert scan.wavelength.ka1_a == pytest.approx(1.78897), name
        assert scan.wavelength.ka2_a == pytest.approx(1.79285), name


def test_xrdml_and_ras_agree_with_xrayutilities(tmp_path):
    xu = pytest.importorskip("xrayutilities")
    px = write_xrdml(tmp_path / "a.xrdml", TT, COUNTS, ["synthetic"])
    tt_xu, y_xu = xu.io.getxrdml_scan(str(px))
    ours = read_scan(px)
    np.testing.assert_allclose(ours.two_theta_deg, tt_xu)
    np.testing.assert_allclose(ours.counts, y_xu)
    pr = write_ras(tmp_path / "a.ras", TT, COUNTS, ["synthetic"])
    data = xu.io.rigaku_ras.RASFile(str(pr)).scans[0].data
    ours = read_scan(pr)
    np.testing.assert_allclose(ours.two_theta_deg, data[data.dtype.names[0]])
    np.testing.assert_allclose(ours.counts, data["int"] * data["att"])


# ------------------------------------------------------------------------------ bad files


def _error(path) -> str:
    with pytest.raises(InputFileError) as exc:
        read_scan(path)
    msg = str(exc.value)
    assert str(path) in msg  # every message names the file
    return msg


def test_empty_file(tmp_path):
    p = tmp_path / "empty.xy"
    p.write_text("")
    assert "empty" in _error(p)


def test_whitespace_only_file(tmp_path):
    p = tmp_path / "blank.csv"
    p.write_text("\n  \n")
    assert "empty" in _error(p)


def test_missing_file(tmp_path):
    assert "no such file" in _error(tmp_path / "nothere.xy")


def test_unsupported_suffix(tmp_path):
    p = tmp_path / "scan.spc"
    p.write_text("10 1\n11 2\n")
    msg = _error(p)
    assert "unsupported file type '.spc'" in msg and ".xrdml" in msg


def test_binary_garbage_as_text(tmp_path):
    p = tmp_path / "garbage.xy"
    p.write_bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    assert "binary" in _error(p)


def test_binary_garbage_as_raw(tmp_path):
    p = tmp_path / "garbage.raw"
    p.write_bytes(b"\x13\x37" + bytes(range(256)) * 8)
    assert "Bruker RAW" in _error(p)


def test_one_column(tmp_path):
    p = tmp_path / "one.xy"
    p.write_text("\n".join(f"{t}" for t in TT))
    msg = _error(p)
    assert "1 column(s); expected 2" in msg and ":1:" in msg


def test_four_columns(tmp_path):
    p = tmp_path / "four.csv"
    p.write_text("\n".join(f"{t},1,2,3" for t in TT))
    assert "4 column(s); expected 2" in _error(p)


def test_ragged_columns_name_the_line(tmp_path):
    p = tmp_path / "ragged.xy"
    rows = [f"{t} {y}" for t, y in zip(TT, COUNTS, strict=True)]
    rows[20] = f"{TT[20]} 5 6"
    p.write_text("\n".join(rows))
    msg = _error(p)
    assert ":21:" in msg and "3 column(s) where line 1 has 2" in msg


def test_text_after_data(tmp_path):
    p = tmp_path / "junk.xy"
    p.write_text("\n".join([*(f"{t} 1" for t in TT[:20]), "END OF DATA"]))
    assert "not numeric" in _error(p)


def test_non_monotonic_two_theta(tmp_path):
    tt = TT.copy()
    tt[30], tt[31] = tt[31], tt[30]
    p = write_xy(tmp_path / "swapped.xy", tt, COUNTS)
    msg = _error(p)
    assert "not monotonic" in msg and "point 32" in msg


def test_negative_counts(tmp_path):
    y = COUNTS.copy()
    y[5] = -3
    assert "negative" in _error(write_xy(tmp_path / "neg.xy", TT, y))


def test_too_few_points(tmp_path):
    assert "at least" in _error(write_xy(tmp_path / "short.xy", TT[:4], COUNTS[:4]))


def test_truncated_xrdml(tmp_path):
    p = write_xrdml(tmp_path / "t.xrdml", TT, COUNTS)
    p.write_bytes(p.read_bytes()[:1500])
    assert "damaged XRDML" in _error(p)


def test_xrdml_that_is_not_xml(tmp_path):
    p = tmp_path / "t.xrdml"
    p.write_text("2theta counts\n10 1\n")
    assert "XRDML" in _error(p) and "expected" in _error(p)


def test_truncated_ras(tmp_path):
    p = write_ras(tmp_path / "t.ras", TT, COUNTS)
    text = p.read_text(encoding="latin-1")
    p.write_text(text[: len(text) // 2], encoding="latin-1")
    assert "truncated" in _error(p)


def test_truncated_brml(tmp_path):
    p = write_brml(tmp_path / "t.brml", TT, COUNTS)
    p.write_bytes(p.read_bytes()[:300])
    assert "zip" in _error(p)


def test_brml_without_raw_data(tmp_path):
    p = tmp_path / "t.brml"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("experimentCollection.xml", "<x/>")
    assert "RawData" in _error(p)


def test_forced_format(tmp_path):
    p = write_xrdml(tmp_path / "scan.dat", TT, COUNTS)  # an XRDML file under a text suffix
    assert read_scan(p).source_format == "xrdml"  # found from the content
    q = write_xy(tmp_path / "scan.bin", TT, COUNTS)
    assert read_scan(q, "csv").n_points == TT.size  # an unknown suffix, format named
    with pytest.raises(InputFileError, match="unknown format"):
        read_scan(q, "spc")
    with pytest.raises(InputFileError, match="XRDML"):
        read_scan(q, "xrdml")
