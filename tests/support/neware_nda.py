"""Write Neware binary cycling files (.nda, .ndax) from records: synthetic test data only.

Neware does not publish these layouts; this follows what NewareNDA v2026.06.11 reads
(NewareNDA/NewareNDA.py and NewareNDA/NewareNDAx.py). Formats written:

- `.nda` version 29 (BTS 7.x, `write_nda(version=29)`): b"NEWARE" at byte 0, the version byte
  at 14, active mass (u4, ug) at 152, remarks (ASCII, 100 bytes) at 2317; data from byte
  HEADER_29 as contiguous 86-byte records: 0x55 0x00, Index u4, Cycle-1 u4, Step_Index u2,
  Status u1, 0, step time u8 (ms), voltage i4 (0.1 mV), current i4, 8 unknown bytes, charge and
  discharge capacity and energy q8 each, date (year u2, month, day, hour, minute, second u1), 0,
  current range i4, 4 zero bytes. Current, capacity and energy are integers in units of the
  range's multiplier (RANGE_MULTIPLIER: mA, mA*s, mW*s).
- `.nda` version 130 (BTS 9.1, `write_nda(version=130)`): the version byte 130 at 14, records
  from byte 1024 of RECORD_130 bytes: 0x55, RECORD_130 (the library finds the record length as
  the distance to the next record's first two bytes), Step_Index u1, Status u1, 4 bytes,
  Index u4, time u4 (s) + u4 (ns), current f4 (mA), voltage f4 (V), signed capacity f4 (mA*s,
  + charge, - discharge), signed energy f4 (mW*s), Cycle-1 u4, 4 bytes, Unix time u4 (s) + u4
  (ns), temperature f4 (C). A record starting with 0x81 ends the data.
- `.ndax` with ndc version 14 (BTS 8.x, `write_ndax`): a zip holding VersionInfo.xml,
  TestInfo.xml (both ASCII XML, carrying the synthetic-data remark) and three ndc files, each a
  4096-byte header (file type at byte 0, version at byte 2) then 4096-byte pages whose records
  run from byte 132 to 4 bytes before the page end:
  data.ndc (type 1): voltage f4 (V), current f4 (A), 495 per page, Index = slot number;
  data_runInfo.ndc (type 18): step time i4 (ms), 1 byte, charge, discharge capacity f4 (Ah),
  charge, discharge energy f4 (Wh), 8 bytes, dt i4 (ms), Unix time i4 (s), step i4, Index i4,
  milliseconds i2, 8 bytes (55 bytes, 72 per page);
  data_step.ndc (type 7, read like version 11): Cycle-1 i4, Step_Index i4, 16 bytes, Status i1,
  12 bytes (37 bytes, 107 per page, records end 5 bytes before the page end), one per step.

Records are a pandas DataFrame with columns cycle, step_index, status (a Neware state name such
as "CC_Chg", "CC_DChg", "Rest"), step_time_s, timestamp (datetime64; naive
ones are taken as UTC),
voltage_V, current_mA (signed: + charge), charge_capacity_mAh, discharge_capacity_mAh,
charge_energy_mWh, discharge_energy_mWh; `records_from_table` makes them from a point table.
"""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

SYNTHETIC = "SYNTHETIC test data written by tests/support/neware_nda.py; not a measurement"

#: Neware status names and their codes (NewareNDA dicts.state_dict).
STATUS = {"CC_Chg": 1, "CC_DChg": 2, "CV_Chg": 3, "Rest": 4, "CCCV_Chg": 7, "CV_DChg": 19}

#: Current range (the record's Range field) -> unit of the stored integers (mA), as in
#: NewareNDA dicts.multiplier_dict: range 10 stores current in uA, capacity in uA*s.
RANGE_MULTIPLIER = {10: 1e-3, 100: 1e-2, 1000: 1e-1}

HEADER_29 = 2560  # bytes before the first record; holds mass (152) and remarks (2317..2416)
RECORD_29 = 86
RECORD_130 = 56
NDC_PAGE = 4096
NDC_FIRST = 132  # first record byte of an ndc page

COLUMNS = (
    "cycle",
    "step_index",
    "status",
    "step_time_s",
    "timestamp",
    "voltage_V",
    "current_mA",
    "charge_capacity_mAh",
    "discharge_capacity_mAh",
    "charge_energy_mWh",
    "discharge_energy_mWh",
)


def records_from_table(frame: pd.DataFrame, start: datetime = datetime(2025, 3, 1, 9, 30)):
    """Neware records from a point table (time_s, cycle, step, current_mA, voltage_V,
    capacity_mAh as `labledger.demo.cycling_synthetic.build_table` makes): status from the sign of
    the current, Step_Index the step's position within its cycle, capacity and energy counters
    that restart at each step (as BTS records them), step time since the end of the previous
    step, timestamps `start` + time_s."""
    t = frame["time_s"].to_numpy(dtype=float)
    cur = frame["current_mA"].to_numpy(dtype=float)
    v = frame["voltage_V"].to_numpy(dtype=float)
    q = frame["capacity_mAh"].to_numpy(dtype=float)
    step = frame["step"].to_numpy()
    cycle = frame["cycle"].to_numpy()
    first = np.r_[True, step[1:] != step[:-1]]
    prev_end = np.r_[0.0, t[:-1]]
    step_start = pd.Series(np.where(first, prev_end, np.nan)).ffill().to_numpy()
    dq = np.diff(q, prepend=0.0)
    dq[first] = q[first]
    energy = pd.Series(v * dq).groupby(np.cumsum(first)).cumsum().to_numpy()
    starts = pd.Series(first.astype(int)).groupby(cycle).cumsum().to_numpy()
    status = np.where(cur > 0, "CC_Chg", np.where(cur < 0, "CC_DChg", "Rest"))
    return pd.DataFrame(
        {
            "cycle": cycle.astype(int),
            "step_index": starts.astype(int),
            "status": status,
            "step_time_s": t - step_start,
            "timestamp": pd.Timestamp(start) + pd.to_timedelta(t, unit="s"),
            "voltage_V": v,
            "current_mA": cur,
            "charge_capacity_mAh": np.where(cur > 0, q, 0.0),
            "discharge_capacity_mAh": np.where(cur < 0, q, 0.0),
            "charge_energy_mWh": np.where(cur > 0, np.abs(energy), 0.0),
            "discharge_energy_mWh": np.where(cur < 0, np.abs(energy), 0.0),
        }
    )


def _checked(records: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in records.columns]
    if missing:
        raise ValueError(f"records lack columns {missing}")
    bad = sorted(set(records["status"]) - set(STATUS))
    if bad:
        raise ValueError(f"unknown status {bad}; expected one of {sorted(STATUS)}")
    return records.reset_index(drop=True)


def _label(size: int) -> bytes:
    return SYNTHETIC.encode("ascii")[:size].ljust(size, b"\x00")


def write_nda(
    path: str | Path,
    records: pd.DataFrame,
    *,
    version: int = 29,
    current_range: int = 10,
    active_mass_mg: float = 1.0,
) -> Path:
    """Write `records` (see the module docstring) as a Neware .nda file of `version` 29 or 130.

    Version 29 stores integers: voltage to 0.1 mV, current to the range's multiplier
    (RANGE_MULTIPLIER[current_range] mA), timestamps to 1 s. Version 130 stores float32."""
    rec = _checked(records)
    if version == 29:
        data = _nda_29(rec, current_range, active_mass_mg)
    elif version == 130:
        data = _nda_130(rec)
    else:
        raise ValueError(f"nda version {version}: expected 29 or 130")
    path = Path(path)
    path.write_bytes(data)
    return path


def _nda_29(rec: pd.DataFrame, current_range: int, active_mass_mg: float) -> bytes:
    unit = RANGE_MULTIPLIER[current_range]
    head = bytearray(HEADER_29)
    head[0:6] = b"NEWARE"
    head[14] = 29
    head[152:156] = struct.pack("<I", round(active_mass_mg * 1000))
    head[2317:2417] = _label(100)
    if bytes(head).find(b"\x00\x00\x00\x00\x55\x00") != -1:  # pragma: no cover - layout guard
        raise ValueError("the header holds the record marker; NewareNDA would start there")
    out = [bytes(head)]
    stamps = pd.to_datetime(rec["timestamp"])
    for i, r in enumerate(rec.itertuples(index=False)):
        ts = stamps.iloc[i]
        body = struct.pack(
            "<2sIIHBBQii8sqqqqHBBBBBBiI",
            b"\x55\x00",
            i + 1,
            int(r.cycle) - 1,
            int(r.step_index),
            STATUS[r.status],
            0,
            round(r.step_time_s * 1000),
            round(r.voltage_V * 1e4),
            round(r.current_mA / unit),
            bytes(8),
            round(r.charge_capacity_mAh * 3600 / unit),
            round(r.discharge_capacity_mAh * 3600 / unit),
            round(r.charge_energy_mWh * 3600 / unit),
            round(r.discharge_energy_mWh * 3600 / unit),
            ts.year,
            ts.month,
            ts.day,
            ts.hour,
            ts.minute,
            ts.second,
            0,
            current_range,
            0,
        )
        assert len(body) == RECORD_29
        out.append(body)
    return b"".join(out)


def _unix(stamps: pd.Series) -> np.ndarray:
    """Seconds since 1970 (float) of timestamps; naive ones are taken as UTC."""
    s = pd.Series(pd.to_datetime(stamps))
    if s.dt.tz is None:
        s = s.dt.tz_localize("UTC")
    return (s - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=float)


def _nda_130(rec: pd.DataFrame) -> bytes:
    head = bytearray(1024)
    head[0:6] = b"NEWARE"
    head[14] = 130
    head[64 : 64 + 100] = _label(100)
    unix = _unix(pd.to_datetime(rec["timestamp"]))
    out = [bytes(head)]
    for i, r in enumerate(rec.itertuples(index=False)):
        signed_q = r.charge_capacity_mAh - r.discharge_capacity_mAh
        signed_e = r.charge_energy_mWh - r.discharge_energy_mWh
        sec = int(np.floor(unix[i]))
        body = struct.pack(
            "<BBBB4sIIIffffI4sIIf",
            0x55,
            RECORD_130,
            int(r.step_index),
            STATUS[r.status],
            bytes(4),
            i + 1,
            int(np.floor(r.step_time_s)),
            round((r.step_time_s - np.floor(r.step_time_s)) * 1e9),
            r.current_mA,
            r.voltage_V,
            signed_q * 3600.0,
            signed_e * 3600.0,
            int(r.cycle) - 1,
            bytes(4),
            sec,
            round((unix[i] - sec) * 1e9),
            25.0,
        )
        assert len(body) == RECORD_130
        out.append(body)
    data = b"".join(out) + b"\x81" + bytes(RECORD_130 - 1)
    if data.find(data[1024:1026], 1026) != 1024 + RECORD_130:
        raise ValueError(
            "a record body repeats the record marker; NewareNDA would misjudge the record length"
        )
    return data


def _ndc(filetype: int, records: list[bytes], per_page: int, tail: int) -> bytes:
    """An ndc file of version 14: header page, then pages of fixed-size records."""
    head = bytearray(NDC_PAGE)
    head[0] = filetype
    head[2] = 14
    head[16 : 16 + 100] = _label(100)
    size = len(records[0])
    assert NDC_FIRST + per_page * size + tail == NDC_PAGE
    pages = [bytes(head)]
    for k in range(0, len(records), per_page):
        body = b"".join(records[k : k + per_page]).ljust(per_page * size, b"\x00")
        pages.append(bytes(NDC_FIRST) + body + bytes(tail))
    return b"".join(pages)


def write_ndax(path: str | Path, records: pd.DataFrame) -> Path:
    """Write `records` as a Neware .ndax (BTS 8.x: ndc version 14, three data files).

    Note: NewareNDA drops every data.ndc slot whose voltage is exactly 0 (it takes them for page
    padding), so a record at exactly 0 V is written but not read back."""
    rec = _checked(records)
    volt = rec["voltage_V"].to_numpy(dtype=float)
    n = len(rec)
    data = [struct.pack("<ff", v, c / 1000.0) for v, c in zip(volt, rec["current_mA"], strict=True)]

    step_id = np.cumsum(
        np.r_[
            True,
            (rec["step_index"].to_numpy()[1:] != rec["step_index"].to_numpy()[:-1])
            | (rec["cycle"].to_numpy()[1:] != rec["cycle"].to_numpy()[:-1]),
        ]
    )
    unix = _unix(pd.to_datetime(rec["timestamp"]))
    step_ms = np.round(rec["step_time_s"].to_numpy(dtype=float) * 1000).astype(np.int64)
    step_first = np.r_[True, step_id[1:] != step_id[:-1]]
    dt_ms = np.where(step_first, step_ms, np.diff(step_ms, prepend=0))
    run = []
    for i, r in enumerate(rec.itertuples(index=False)):
        sec = int(np.floor(unix[i]))
        run.append(
            struct.pack(
                "<ixffff8xiiiih8s",
                int(step_ms[i]),
                r.charge_capacity_mAh / 1000.0,
                r.discharge_capacity_mAh / 1000.0,
                r.charge_energy_mWh / 1000.0,
                r.discharge_energy_mWh / 1000.0,
                int(dt_ms[i]),
                sec,
                int(step_id[i]),
                i + 1,
                round((unix[i] - sec) * 1000),
                bytes(8),
            )
        )
    firsts = np.flatnonzero(step_first)
    steps = [
        struct.pack(
            "<ii16sb12s",
            int(rec["cycle"].iloc[j]) - 1,
            int(rec["step_index"].iloc[j]),
            bytes(16),
            STATUS[rec["status"].iloc[j]],
            bytes(12),
        )
        for j in firsts
    ]
    members = {
        "VersionInfo.xml": (
            '<?xml version="1.0"?>\n<root>\n<!-- ' + SYNTHETIC + " -->\n<config>\n"
            '<ZwjVersion SvrVer="BTS 8.0.0 (synthetic)" CurrClientVer="8.0.0" '
            'ZwjVersion="synthetic" MainXwjVer="synthetic"/>\n</config>\n</root>\n'
        ).encode("ascii"),
        "TestInfo.xml": (
            '<?xml version="1.0"?>\n<root>\n<config>\n<TestInfo Remark="'
            + SYNTHETIC
            + f'" Points="{n}"/>\n</config>\n</root>\n'
        ).encode("ascii"),
        "data.ndc": _ndc(1, data, 495, 4),
        "data_runInfo.ndc": _ndc(18, run, 72, 4),
        "data_step.ndc": _ndc(7, steps, 107, 5),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    path = Path(path)
    path.write_bytes(buf.getvalue())
    return path
