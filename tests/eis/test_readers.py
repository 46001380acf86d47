"""Readers: every format and dialect, and every bad-file case with its message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labledger.demo.eis import write_mpt
from labledger.eis.readers import read_spectrum
from labledger.errors import InputFileError

REAL = Path(__file__).parent / "real"


def _rows(f, a, b, fmt="{:.9e}"):
    return [[fmt.format(x), fmt.format(y), fmt.format(z)] for x, y, z in zip(f, a, b, strict=True)]


def test_csv_zprime_dialect_physics_convention(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    p = h.write_table(
        tmp_path / "a.csv", "Frequency (Hz),Z' (Ohm),Z'' (Ohm)", _rows(f, z.real, z.imag)
    )
    s = read_spectrum(p)
    np.testing.assert_allclose(s.Z, z, rtol=1e-8)
    assert s.frequency_Hz[0] > s.frequency_Hz[-1]
    assert s.source_format == "csv"
    assert any("read as Z''" in n for n in s.notes)


def test_csv_minus_im_header_is_negated(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    p = h.write_table(tmp_path / "b.csv", "freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm", _rows(f, z.real, -z.imag))
    s = read_spectrum(p)
    np.testing.assert_allclose(s.Z, z, rtol=1e-8)
    assert any("-Z''" in n and "minus sign" in n for n in s.notes)


def test_unsigned_imag_column_with_positive_values_is_read_as_minus_zimag(
    tmp_path, simple_spectrum, h
):
    f, z = simple_spectrum
    p = h.write_table(tmp_path / "c.txt", "Freq\tZreal\tZimag", _rows(f, z.real, -z.imag), "\t")
    s = read_spectrum(p)
    np.testing.assert_allclose(s.Z, z, rtol=1e-8)
    assert s.source_format == "text-table"
    assert any("mostly positive" in n for n in s.notes)


def test_semicolon_decimal_comma_and_kohm(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    rows = [[v.replace(".", ",") for v in r] for r in _rows(f, z.real / 1e3, z.imag / 1e3)]
    p = h.write_table(tmp_path / "d.csv", "Frequency [Hz];Z' [kOhm];Z'' [kOhm]", rows, ";")
    s = read_spectrum(p)
    np.testing.assert_allclose(s.Z, z, rtol=1e-8)
    assert any("decimal commas" in n for n in s.notes)
    assert any("multiplied by 1000" in n for n in s.notes)


def test_modulus_and_phase_dialect(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    p = h.write_table(
        tmp_path / "e.csv",
        "Freq (Hz),|Z| (Ohm),Phase (deg)",
        _rows(f, np.abs(z), np.degrees(np.angle(z))),
    )
    s = read_spectrum(p)
    np.testing.assert_allclose(s.Z, z, rtol=1e-7)


def test_headerless_csv_impedance_example_file():
    s = read_spectrum(REAL / "exampleData.csv")
    assert len(s) == 66
    assert s.frequency_Hz[0] == 10000.0
    assert any("no header" in n for n in s.notes)


def test_biologic_mpt(tmp_path, simple_spectrum):
    f, z = simple_spectrum
    p = tmp_path / "x.mpt"
    write_mpt(p, f, z, "synthetic test")
    s = read_spectrum(p)
    assert s.source_format == "biologic-mpt"
    np.testing.assert_allclose(s.Z, z, rtol=1e-6)


def test_biologic_text_export_with_txt_suffix_is_recognised(tmp_path, simple_spectrum):
    f, z = simple_spectrum
    p = tmp_path / "x.txt"
    write_mpt(p, f, z, "synthetic test")
    assert read_spectrum(p).source_format == "biologic-mpt"


def test_mpt_without_impedance_columns(tmp_path):
    p = tmp_path / "cv.mpt"
    p.write_text("EC-Lab ASCII FILE\nNb header lines : 3\n\ntime/s\tEwe/V\n1\t2\n", "latin-1")
    with pytest.raises(InputFileError, match=r"cv\.mpt:3: column\(s\) \['freq/Hz'"):
        read_spectrum(p)


def test_mpt_without_header_count(tmp_path):
    p = tmp_path / "bad.mpt"
    p.write_text("EC-Lab ASCII FILE\nsomething else\n", "latin-1")
    with pytest.raises(InputFileError, match="Nb header lines"):
        read_spectrum(p)


def test_gamry_dta(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    s = read_spectrum(h.write_gamry(tmp_path / "g.DTA", f, z))
    assert s.source_format == "gamry-dta"
    np.testing.assert_allclose(s.Z, z, rtol=1e-6)


def test_gamry_dta_aborted_is_noted(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    s = read_spectrum(h.write_gamry(tmp_path / "g.DTA", f, z, aborted_after=20))
    assert len(s) == 20
    assert any("aborted" in n for n in s.notes)


def test_gamry_without_zcurve(tmp_path):
    p = tmp_path / "cv.DTA"
    p.write_text("EXPLAIN\nTAG\tCV\nCURVE\tTABLE\n", "latin-1")
    with pytest.raises(InputFileError, match="no ZCURVE table"):
        read_spectrum(p)


def test_zview_z(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    s = read_spectrum(h.write_zview(tmp_path / "v.z", f, z))
    assert s.source_format == "zview-z"
    np.testing.assert_allclose(s.Z, z, rtol=1e-4)


def test_damaged_mpr_gets_a_clear_error(tmp_path):
    p = tmp_path / "broken.mpr"
    p.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + bytes(range(256)) * 4)
    with pytest.raises(InputFileError, match=r"broken\.mpr: cannot read as a BioLogic \.mpr"):
        read_spectrum(p)


def test_binary_file_with_text_suffix(tmp_path):
    p = tmp_path / "scan.csv"
    p.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(InputFileError, match="binary content"):
        read_spectrum(p)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="file not found"):
        read_spectrum(tmp_path / "nope.csv")


# ------------------------------------------------------------------ bad content


def _good_rows(n=20):
    f = np.logspace(5, 0, n)
    z = 10 + 100 / (1 + 1j * 2 * np.pi * f * 1e-4)
    return f, z


def test_too_few_points(tmp_path, h):
    f, z = _good_rows(6)
    p = h.write_table(tmp_path / "few.csv", "f,Z',Z''", _rows(f, z.real, z.imag))
    with pytest.raises(
        InputFileError, match=r"few\.csv: only 6 usable data point\(s\); at least 10"
    ):
        read_spectrum(p)


def test_nan_rows_are_dropped_with_a_note(tmp_path, h):
    f, z = _good_rows()
    rows = _rows(f, z.real, z.imag)
    rows[4][1] = "nan"
    rows[7][2] = ""
    s = read_spectrum(h.write_table(tmp_path / "nan.csv", "f,Z',Z''", rows))
    assert len(s) == 18
    note = next(n for n in s.notes if "dropped 2 row(s)" in n)
    assert "line(s) 7, 10" in note  # comment line + header precede the data


def test_repeated_identical_rows_are_dropped(tmp_path, h):
    f, z = _good_rows()
    rows = _rows(f, z.real, z.imag)
    rows.insert(5, rows[4])
    s = read_spectrum(h.write_table(tmp_path / "rep.csv", "f,Z',Z''", rows))
    assert len(s) == 20
    assert any("repeated row" in n for n in s.notes)


def test_duplicate_frequency_with_different_impedance(tmp_path, h):
    f, z = _good_rows()
    rows = _rows(f, z.real, z.imag)
    rows.insert(5, [rows[4][0], "1.0", "-2.0"])
    p = h.write_table(tmp_path / "dup.csv", "f,Z',Z''", rows)
    with pytest.raises(InputFileError, match=r"dup\.csv:8: frequency .* appears twice .* sweep"):
        read_spectrum(p)


def test_non_monotonic_frequencies(tmp_path, h):
    f, z = _good_rows()
    f = f.copy()
    f[10], f[11] = f[11], f[10]
    p = h.write_table(tmp_path / "mono.csv", "f,Z',Z''", _rows(f, z.real, z.imag))
    with pytest.raises(InputFileError, match=r"mono\.csv:\d+: frequencies are not monotonic"):
        read_spectrum(p)


def test_non_numeric_value_names_the_line(tmp_path, h):
    f, z = _good_rows()
    rows = _rows(f, z.real, z.imag)
    rows[2][1] = "12.3.4"
    p = h.write_table(tmp_path / "txt.csv", "f,Z',Z''", rows)
    with pytest.raises(InputFileError, match=r"txt\.csv:5: non-numeric value"):
        read_spectrum(p)


def test_no_frequency_column(tmp_path, h):
    f, z = _good_rows()
    p = h.write_table(tmp_path / "nof.csv", "time,Z',Z''", _rows(f, z.real, z.imag))
    with pytest.raises(InputFileError, match="no frequency column"):
        read_spectrum(p)


def test_no_impedance_columns(tmp_path, h):
    f, z = _good_rows()
    p = h.write_table(tmp_path / "noz.csv", "freq,volts,amps", _rows(f, z.real, z.imag))
    with pytest.raises(InputFileError, match="no impedance columns"):
        read_spectrum(p)


def test_rows_at_or_below_zero_hz_are_dropped_and_counted(tmp_path, h):
    f, z = _good_rows()
    f = f.copy()
    f[-1] = -1.0
    f[-2] = 0.0
    p = h.write_table(tmp_path / "neg.csv", "f,Z',Z''", _rows(f, z.real, z.imag))
    s = read_spectrum(p)
    assert len(s) == 18
    assert any("dropped 2 row(s) with frequency <= 0 Hz" in n for n in s.notes), s.notes


def test_extra_text_columns_and_trailing_tabs_are_tolerated(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    rows = [[*r, "ok\t"] for r in _rows(f, z.real, -z.imag)]
    p = h.write_table(tmp_path / "x.txt", "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\tstatus\t", rows, "\t")
    np.testing.assert_allclose(read_spectrum(p).Z, z, rtol=1e-8)


def test_minus_header_contradicted_by_data_is_warned(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    p = h.write_table(tmp_path / "w.csv", "freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm", _rows(f, z.real, z.imag))
    s = read_spectrum(p)
    assert any("check the sign convention" in n for n in s.notes)


def test_short_row_names_the_line(tmp_path, h):
    f, z = _good_rows()
    rows = _rows(f, z.real, z.imag)
    rows[3] = rows[3][:2]
    p = h.write_table(tmp_path / "short.csv", "f,Z',Z''", rows)
    with pytest.raises(InputFileError, match=r"short\.csv:6: expected 3 columns, found 2"):
        read_spectrum(p)


@pytest.mark.parametrize(
    ("header", "f_scale", "z_scale", "sign"),
    [
        ("freq_Hz,Z_real_ohm,Z_imag_ohm", 1.0, 1.0, 1),
        ("Frequency (kHz),Z' (kΩ),-Z'' (kΩ)", 1e3, 1e3, -1),
        ("f [Hz],Re(Z) [mOhm],Im(Z) [mOhm]", 1.0, 1e-3, 1),
        ("Freq/Hz,Zre (ohms),Zim (ohms)", 1.0, 1.0, 1),
    ],
)
def test_columns_by_meaning_and_unit(tmp_path, simple_spectrum, h, header, f_scale, z_scale, sign):
    f, z = simple_spectrum
    rows = _rows(f / f_scale, z.real / z_scale, sign * z.imag / z_scale)
    s = read_spectrum(h.write_table(tmp_path / "u.csv", header, rows))
    np.testing.assert_allclose(s.frequency_Hz, f, rtol=1e-8)
    np.testing.assert_allclose(s.Z, z, rtol=1e-8)


def test_modulus_in_kohm_and_phase_in_radians(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    rows = _rows(f, np.abs(z) / 1e3, np.angle(z))
    s = read_spectrum(h.write_table(tmp_path / "mp.csv", "freq/Hz,|Z| (kOhm),phase (rad)", rows))
    np.testing.assert_allclose(s.Z, z, rtol=1e-8)


def test_only_modulus_is_refused_naming_what_was_found(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    rows = _rows(f, np.abs(z), np.abs(z))
    p = h.write_table(tmp_path / "m.csv", "freq/Hz,|Z|/Ohm,time/s", rows)
    with pytest.raises(
        InputFileError, match=r"m\.csv:2: no impedance columns .*only \|Z\|, no phase"
    ):
        read_spectrum(p)


def test_preamble_then_table(tmp_path, simple_spectrum, h):
    f, z = simple_spectrum
    lines = ["Instrument: XYZ", "Date: 2024-01-01, 10:00", "", "Freq/Hz, Z'/ohm, Z\"/ohm", ""]
    lines += [", ".join(r) for r in _rows(f, z.real, z.imag)]
    p = tmp_path / "pre.txt"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = read_spectrum(p)
    np.testing.assert_allclose(s.Z, z, rtol=1e-8)
    assert any("skipped 2 preamble line(s)" in n for n in s.notes)


def test_all_nan_columns_say_how_many_rows_were_dropped(tmp_path, h):
    f, _ = _good_rows()
    rows = [[f"{x:.6e}", "nan", "nan"] for x in f]
    p = h.write_table(tmp_path / "nan.csv", "freq/Hz,Z'/Ohm,Z''/Ohm", rows)
    with pytest.raises(InputFileError, match=r"only 0 usable .*dropped 20 row\(s\) with a missing"):
        read_spectrum(p)
