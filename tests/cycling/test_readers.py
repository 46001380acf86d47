"""Each reader and each bad-file case, on files written by our own code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labledger.cycling import read_cycling
from labledger.cycling.columns import recognise, split_header
from labledger.demo.cycling_synthetic import (
    Segment,
    build_table,
    write_arbin_csv,
    write_generic_csv,
    write_land_csv,
    write_land_xlsx,
)
from labledger.errors import InputFileError


@pytest.fixture
def frame():
    """Three half-cell cycles with rest steps: plate 1.0 mAh, strip 0.9/0.95/0.97 mAh."""
    segs = []
    for i, q in enumerate((0.9, 0.95, 0.97)):
        segs.append(Segment(i + 1, -1.13, 1.0, lambda x: -0.03 - 0.01 * x, 30))
        segs.append(Segment(i + 1, 1.13, q, lambda x: 0.03 + 0.9 * x**8, 30))
    return build_table(segs, rest_points=3)


def _per_cycle(data):
    steps = data.steps()
    plate = steps[steps["direction"] < 0].groupby("cycle")["capacity_mAh"].sum()
    strip = steps[steps["direction"] > 0].groupby("cycle")["capacity_mAh"].sum()
    return plate.to_numpy(), strip.to_numpy()


def _check(data, frame):
    assert list(data.frame.columns[:7]) == [
        "time_s", "cycle", "step", "current_mA", "voltage_V", "capacity_mAh", "direction",
    ]  # fmt: skip
    plate, strip = _per_cycle(data)
    np.testing.assert_allclose(plate, [1.0, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(strip, [0.9, 0.95, 0.97], rtol=1e-6)
    np.testing.assert_allclose(data.frame["voltage_V"], frame["voltage_V"], atol=1e-6)
    np.testing.assert_allclose(data.frame["current_mA"], frame["current_mA"], rtol=1e-6)
    assert set(data.frame["direction"].unique()) == {-1, 0, 1}
    # rest rows are their own steps; 3 cycles x (2 active + 2 rest) steps
    assert data.frame["step"].nunique() == 12


def test_generic_csv(tmp_path, frame):
    data = read_cycling(write_generic_csv(frame, tmp_path / "g.csv"))
    assert data.dialect == "generic-csv"
    _check(data, frame)
    assert data.columns_used["current_mA"] == "Current (mA)"


def test_chinese_header_csv_with_time_strings(tmp_path, frame):
    path = write_land_csv(frame, tmp_path / "land.csv")
    assert "循环号" in path.read_text(encoding="utf-8")
    data = read_cycling(path)
    assert data.dialect == "chinese-header-csv"
    _check(data, frame)
    np.testing.assert_allclose(
        data.frame["time_s"], frame["time_s"] - frame["time_s"].iloc[0], atol=1e-3
    )


def test_chinese_header_csv_in_gbk(tmp_path, frame):
    utf8 = write_land_csv(frame, tmp_path / "u.csv")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    data = read_cycling(gbk)
    _check(data, frame)
    assert "decoded as gb18030" in data.notes


def test_arbin_csv_amps_and_cumulative_capacities(tmp_path, frame):
    path = write_arbin_csv(frame, tmp_path / "arbin.csv")
    assert "Charge_Capacity(Ah)" in path.read_text()
    data = read_cycling(path)
    assert data.dialect == "arbin-csv"
    _check(data, frame)
    assert "x 1000" in data.columns_used["current_mA"]


def test_land_xlsx(tmp_path, frame):
    data = read_cycling(write_land_xlsx(frame, tmp_path / "land.xlsx", "test", mass_g=0.01))
    assert data.dialect == "land-xlsx"
    _check(data, frame)
    np.testing.assert_allclose(
        data.frame["specific_capacity_mAh_g"], frame["capacity_mAh"] / 0.01, rtol=1e-5
    )


def test_biologic_mpt_text_integrates_current(tmp_path, frame):
    """An EC-Lab text export: header block, tab-separated, no capacity column used."""
    body = pd.DataFrame({
        "mode": 1, "ox/red": (frame["current_mA"] > 0).astype(int), "time/s": frame["time_s"],
        "control/V/mA": frame["current_mA"], "Ewe/V": frame["voltage_V"],
        "I/mA": frame["current_mA"], "cycle number": frame["cycle"] - 1,
    })  # fmt: skip
    start = body.iloc[[0]].assign(**{"time/s": 0.0, "I/mA": 0.0, "control/V/mA": 0.0})
    body = pd.concat([start, body], ignore_index=True)  # EC-Lab records the start at t = 0
    table = body.to_csv(sep="\t", index=False, float_format="%.10g", lineterminator="\n")
    header = ["EC-Lab ASCII FILE", "Nb header lines : 4", "synthetic test file", ""]
    path = tmp_path / "b.mpt"
    path.write_text("\n".join(header[:3]) + "\n" + table, encoding="latin-1")
    data = read_cycling(path)
    assert data.dialect == "biologic-mpt"
    # each sample's current stands for the interval since the previous sample
    plate, strip = _per_cycle(data)
    np.testing.assert_allclose(plate, [1.0, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(strip, [0.9, 0.95, 0.97], rtol=1e-6)


def test_biologic_mpt_with_decimal_commas_and_no_current_column(tmp_path, frame):
    """EC-Lab on a German Windows writes decimal commas; GCPL exports of newer versions carry
    `(Q-Qo)/mA.h` but no `I/mA`: the current then comes from dQ/dt."""
    t = np.r_[0.0, frame["time_s"]]  # EC-Lab records the start at t = 0
    current = frame["current_mA"].to_numpy()
    q = np.cumsum(np.r_[0.0, current * np.diff(t)]) / 3600.0
    body = pd.DataFrame({
        "mode": 1, "time/s": t, "control/V/mA": np.r_[0.0, current],
        "Ewe/V": np.r_[frame["voltage_V"].iloc[0], frame["voltage_V"]], "(Q-Qo)/mA.h": q,
    })  # fmt: skip
    table = body.to_csv(sep="\t", index=False, float_format="%.10g", lineterminator="\n")
    header = ["BT-Lab ASCII FILE", "Nb header lines : 4", "synthetic test file", ""]
    path = tmp_path / "de.mpt"
    head, _, rows = table.partition("\n")
    text = "\n".join([*header[:3], head, rows.replace(".", ",")])
    path.write_text(text, encoding="latin-1")
    data = read_cycling(path)
    assert "decimal commas read as decimal points" in data.notes
    assert any("current from '(Q-Qo)/mA.h'" in n for n in data.notes)
    plate, strip = _per_cycle(data)
    np.testing.assert_allclose(plate, [1.0, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(strip, [0.9, 0.95, 0.97], rtol=1e-6)


def test_user_mapping_with_scale_and_unknown_headers(tmp_path, frame):
    odd = pd.DataFrame({
        "t": frame["time_s"], "Zyklus": frame["cycle"], "Strom [A]": frame["current_mA"] / 1000,
        "Spannung": frame["voltage_V"], "Ladung": frame["capacity_mAh"] / 1000,
    })  # fmt: skip
    path = tmp_path / "odd.csv"
    odd.to_csv(path, index=False, float_format="%.12g")
    with pytest.raises(InputFileError) as err:
        read_cycling(path)
    message = str(err.value)
    assert "'Strom [A]'" in message and "'Spannung'" in message and "columns=" in message
    mapping = {
        "current_mA": {"column": "Strom [A]", "scale": 1000},
        "voltage_V": "Spannung",
        "cycle": "Zyklus",
        "capacity_mAh": {"column": "Ladung", "scale": 1000},
    }
    data = read_cycling(path, columns=mapping)
    _check(data, frame)
    with pytest.raises(InputFileError, match="'Nope' for voltage_V is not in the file"):
        read_cycling(path, columns={**mapping, "voltage_V": "Nope"})
    with pytest.raises(InputFileError, match="unknown name 'volts'"):
        read_cycling(path, columns={**mapping, "volts": "Spannung"})


def test_no_cycle_no_capacity_columns_are_derived(tmp_path, frame):
    plain = frame[["time_s", "current_mA", "voltage_V"]]
    path = tmp_path / "plain.csv"
    plain.to_csv(path, index=False, float_format="%.12g")
    data = read_cycling(path)
    assert data.frame["cycle"].max() == 3
    _, strip = _per_cycle(data)
    np.testing.assert_allclose(strip, [0.9, 0.95, 0.97], rtol=1e-6)
    assert any("integrated" in n for n in data.notes)


def test_header_splitting():
    assert split_header("电流/mA") == ("电流", "mA")
    assert split_header("Current(A)") == ("Current", "A")
    assert split_header("比容量/mAh/g") == ("比容量", "mAh/g")
    found = recognise(["循环号", "工步号", "电流/mA", "电压/V", "容量/mAh", "时间", "比容量/mAh/g"])
    assert found["capacity_mAh"].column == "容量/mAh"
    assert found["specific_capacity_mAh_g"].column == "比容量/mAh/g"
    assert found["cycle"].column == "循环号" and found["step"].column == "工步号"
    assert recognise(["Current(uA)"])["current_mA"].scale == pytest.approx(1e-3)


# --- bad files --------------------------------------------------------------------------------


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        read_cycling(tmp_path / "absent.csv")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match=r"save it as \.xlsx"):
        read_cycling(old)
    with pytest.raises(InputFileError, match=r"unsupported cycling file type '\.dat'"):
        (tmp_path / "x.dat").write_text("1,2\n")
        read_cycling(tmp_path / "x.dat")


def test_empty_and_comment_only_csv(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputFileError, match="empty"):
        read_cycling(empty)
    comments = tmp_path / "c.csv"
    comments.write_text("# only a comment\n")
    with pytest.raises(InputFileError, match="no header line"):
        read_cycling(comments)


def test_non_numeric_value_names_line(tmp_path, frame):
    path = write_generic_csv(frame, tmp_path / "bad.csv", "comment")
    lines = path.read_text().splitlines()
    parts = lines[5].split(",")
    parts[4] = "oops"
    lines[5] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputFileError, match="'oops' is not a number") as err:
        read_cycling(path)
    assert err.value.line == 6


def test_magnitude_only_current_is_refused(tmp_path, frame):
    path = tmp_path / "abs.csv"
    frame.assign(current_mA=frame["current_mA"].abs()).pipe(write_generic_csv, path)
    with pytest.raises(InputFileError, match="never negative"):
        read_cycling(path)


def test_inverted_sign_is_refused_and_fixable(tmp_path):
    from labledger.cycling import analyze_cycling

    segs = []
    for i in range(5):
        segs.append(Segment(i + 1, 1.13, 1.0, lambda x: -0.03 + 0 * x, 20))  # plating, sign +
        segs.append(Segment(i + 1, -1.13, 0.98, lambda x: 0.03 + 0.9 * x**8, 20))
    path = write_generic_csv(build_table(segs), tmp_path / "inv.csv")
    with pytest.raises(InputFileError, match="current sign looks inverted"):
        analyze_cycling(path, "half")
    fixed = analyze_cycling(path, "half", columns={"current_mA": {"column": "Current (mA)",
                                                                  "scale": -1}})  # fmt: skip
    np.testing.assert_allclose(fixed.cycles["ce"], 0.98, atol=1e-6)


def test_damaged_xlsx(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(InputFileError, match=r"not a readable \.xlsx"):
        read_cycling(path)


def test_xlsx_without_cycling_table(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["name", "value"])
    book.active.append(["a", 1])
    path = tmp_path / "other.xlsx"
    book.save(path)
    with pytest.raises(InputFileError, match="no sheet with a recognised cycling table"):
        read_cycling(path)


@pytest.mark.parametrize("suffix", [".nda", ".ndax"])
def test_damaged_neware(tmp_path, suffix):
    path = tmp_path / f"cell{suffix}"
    path.write_bytes(b"NEWARE" + bytes(range(256)) * 4)
    with pytest.raises(InputFileError, match="not a readable Neware"):
        read_cycling(path)


def test_damaged_mpr(tmp_path):
    path = tmp_path / "cell.mpr"
    path.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + b"\x00" * 40)
    with pytest.raises(InputFileError, match=r"not a readable BioLogic \.mpr"):
        read_cycling(path)


def test_bad_mpt_header(tmp_path):
    path = tmp_path / "cell.mpt"
    path.write_text("not an EC-Lab file\n1\t2\n")
    with pytest.raises(InputFileError, match="EC-Lab ASCII FILE"):
        read_cycling(path)


def test_neware_mapping_of_library_output(tmp_path, frame, monkeypatch):
    """No real .nda file can be shipped: check our mapping of NewareNDA's documented columns."""
    import NewareNDA

    step = frame["step"].to_numpy()
    cur = frame["current_mA"].to_numpy()
    out = pd.DataFrame({
        "Index": np.arange(len(frame)), "Cycle": frame["cycle"], "Step": step,
        "Status": np.where(cur > 0, "CC_Chg", np.where(cur < 0, "CC_DChg", "Rest")),
        "Time": frame["time_s"] - frame.groupby("step")["time_s"].transform("min"),
        "Voltage": frame["voltage_V"], "Current(mA)": cur,
        "Charge_Capacity(mAh)": np.where(cur > 0, frame["capacity_mAh"], 0.0),
        "Discharge_Capacity(mAh)": np.where(cur < 0, frame["capacity_mAh"], 0.0),
        "Timestamp": pd.Timestamp("2025-01-01") + pd.to_timedelta(frame["time_s"], unit="s"),
    })  # fmt: skip
    monkeypatch.setattr(NewareNDA, "read", lambda *a, **k: out)
    path = tmp_path / "cell.nda"
    path.write_bytes(b"placeholder")
    data = read_cycling(path)
    assert data.dialect == "neware-nda"
    _check(data, frame)


def test_biologic_mpr_mapping_of_library_output(tmp_path, frame, monkeypatch):
    """No real .mpr file can be shipped: check our mapping of galvani's record array."""
    from galvani import BioLogic

    n = len(frame) + 1
    data = np.zeros(n, dtype=[("time/s", "<f8"), ("Ewe/V", "<f4"), ("I/mA", "<f8"),
                              ("cycle number", "<f8"), ("ox/red", "u1")])  # fmt: skip
    data["time/s"][1:] = frame["time_s"]
    data["Ewe/V"][1:] = frame["voltage_V"]
    data["Ewe/V"][0] = frame["voltage_V"].iloc[0]
    data["I/mA"][1:] = frame["current_mA"]
    data["cycle number"][1:] = frame["cycle"]
    data["cycle number"][0] = 1

    class FakeMPR:
        def __init__(self, path):
            self.data = data

    monkeypatch.setattr(BioLogic, "MPRfile", FakeMPR)
    path = tmp_path / "cell.mpr"
    path.write_bytes(b"placeholder")
    result = read_cycling(path)
    assert result.dialect == "biologic-mpr"
    plate, strip = _per_cycle(result)
    np.testing.assert_allclose(plate, [1.0, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(strip, [0.9, 0.95, 0.97], rtol=1e-6)


def test_xlsx_with_user_mapping(tmp_path, frame):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Zeit", "Zyklus", "Strom", "Spannung", "Ladung"])
    for row in frame[["time_s", "cycle", "current_mA", "voltage_V", "capacity_mAh"]].itertuples(
        index=False
    ):
        sheet.append([float(v) for v in row])
    path = tmp_path / "mapped.xlsx"
    book.save(path)
    mapping = {"time_s": "Zeit", "cycle": "Zyklus", "current_mA": "Strom",
               "voltage_V": "Spannung", "capacity_mAh": "Ladung"}  # fmt: skip
    data = read_cycling(path, columns=mapping)
    _check(data, frame)


def test_total_time_preferred_over_step_time():
    found = recognise(["时间", "总时间", "电流(mA)", "电压(V)"])
    assert found["time_s"].column == "总时间"
    assert found["current_mA"].column == "电流(mA)"
    assert recognise(["Step_Time(s)", "Test_Time(s)"])["time_s"].column == "Test_Time(s)"
