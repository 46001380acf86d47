"""Write BioLogic EC-Lab binary (.mpr) files from columns of numbers: synthetic test data only.

The .mpr layout is not published; this follows the reverse-engineered description that galvani
0.5.0 reads (galvani/BioLogic.py: `MPR_MAGIC`, `read_VMP_modules`, `MPRfile`,
`VMPdata_colID_dtype_map`, `VMPdata_colID_flag_map`). What is written:

1. The magic: b"BIO-LOGIC MODULAR FILE\\x1a" padded with spaces to 48 bytes, then 4 zero bytes.
2. Modules, each b"MODULE" + a header + `length` bytes of data. Header of EC-Lab >= 11.50
   (`header="v2"`, the default): shortname S10, longname S25, max length u4 = 0xFFFFFFFF (this
   value is what marks the newer header), length u4, version u4, a u4 (10 for the settings and
   log modules, 11 for the data module), date S8 "mm/dd/yy". Older header (`header="v1"`):
   shortname, longname, length, version, date.
3. "VMP Set   " settings module: galvani reads only its date. We write the technique id byte
   (TECHNIQUE_IDS) and the synthetic-data comment; the rest of EC-Lab's settings is left out.
4. "VMP data  " data module, version 2 or 3 (`data_version`; 3 is the newer): n_points u4,
   n_columns u1, one u2 column id per column, zeros up to byte 405; version 3 has one more byte
   (0x01) at 405. Then n_points packed little-endian records, fields in column order. The flag
   columns (mode, ox/red, error, control changes, Ns changes, counter inc.) share one byte, placed
   where the first flag column is, each under its bit mask.
5. "VMP LOG   " log module (optional): galvani checks that it holds an OLE date (days since
   1899-12-30, f8) at byte 465 that falls on the settings date.

Column names are galvani's (the keys of `COLUMNS` and `FLAGS`); each maps to one column id
galvani knows for it (where it knows two, the higher-numbered one) and that id's stored type.
Values are cast to that type, so float32 columns (Ewe/V, I/mA, freq/Hz, Re(Z)/Ohm ...) round to
float32.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

SYNTHETIC = "SYNTHETIC test data written by tests/support/biologic_mpr.py; not a measurement"

MAGIC = b"BIO-LOGIC MODULAR FILE\x1a".ljust(48) + b"\x00\x00\x00\x00"

#: name -> (column id, stored dtype); ids and types as in galvani 0.5.0 VMPdata_colID_dtype_map
#: (where galvani knows two ids for one name, the higher-numbered one).
COLUMNS: dict[str, tuple[int, str]] = {
    "time/s": (4, "<f8"),
    "control/V/mA": (5, "<f4"),
    "Ewe/V": (6, "<f4"),
    "dq/mA.h": (7, "<f8"),
    "I/mA": (8, "<f4"),
    "Ece/V": (9, "<f4"),
    "(Q-Qo)/mA.h": (13, "<f8"),
    "control/V": (19, "<f4"),
    "control/mA": (20, "<f4"),
    "dQ/mA.h": (23, "<f8"),
    "cycle number": (24, "<f8"),
    "freq/Hz": (32, "<f4"),
    "|Ewe|/V": (33, "<f4"),
    "|I|/A": (34, "<f4"),
    "Phase(Z)/deg": (35, "<f4"),
    "|Z|/Ohm": (36, "<f4"),
    "Re(Z)/Ohm": (37, "<f4"),
    "-Im(Z)/Ohm": (38, "<f4"),
    "I Range": (39, "<u2"),
    "P/W": (70, "<f4"),
    "<I>/mA": (76, "<f4"),
    "<Ewe>/V": (174, "<f4"),
    "Ns": (131, "<u2"),
    "Q charge/discharge/mA.h": (467, "<f8"),
    "half cycle": (468, "<u4"),
    "Q charge/mA.h": (498, "<f8"),
    "Q discharge/mA.h": (499, "<f8"),
    "step time/s": (500, "<f8"),
}

#: Flag columns packed into one byte: name -> (column id, bit mask), as galvani's
#: VMPdata_colID_flag_map. "mode" holds 0-3 (1 CC, 2 CV, 3 rest), the others are booleans.
FLAGS: dict[str, tuple[int, int]] = {
    "mode": (1, 0x03),
    "ox/red": (2, 0x04),
    "error": (3, 0x08),
    "control changes": (21, 0x10),
    "Ns changes": (31, 0x20),
    "counter inc.": (65, 0x80),
}

#: Technique id, the first byte of the settings module, as third-party .mpr parsers list them.
#: galvani does not read the settings, so nothing here checks these ids.
TECHNIQUE_IDS = {"GCPL": 0x04, "OCV": 0x0B, "CA": 0x18, "CP": 0x19, "PEIS": 0x1D, "GEIS": 0x1E}

DATA_HEADER_BYTES = 405  # column-id block of data modules version 2 and 3
LOG_DATE_OFFSET = 465  # where galvani looks first for the OLE date in the log module
LOG_BYTES = 600  # galvani reads candidate dates up to byte 585 + 8 of the log module
OLE_EPOCH = datetime(1899, 12, 30)


def _module(short: bytes, long: bytes, version: int, kind: int, date: bytes, data: bytes, header):
    if header == "v2":
        head = (
            short.ljust(10)
            + long.ljust(25)
            + np.array([0xFFFFFFFF, len(data), version, kind], "<u4").tobytes()
            + date
        )
    elif header == "v1":
        head = short.ljust(10) + long.ljust(25) + np.array([len(data), version], "<u4").tobytes()
        head += date
    else:
        raise ValueError(f"header {header!r}: expected 'v1' or 'v2'")
    return b"MODULE" + head + data


def _records(columns: Mapping[str, np.ndarray]) -> tuple[list[int], bytes, int]:
    """Column ids, packed records and number of points."""
    names = list(columns)
    unknown = [n for n in names if n not in COLUMNS and n not in FLAGS]
    if unknown:
        raise ValueError(f"columns {unknown} unknown; use names of COLUMNS or FLAGS")
    lengths = {len(np.atleast_1d(columns[n])) for n in names}
    if len(lengths) != 1:
        raise ValueError(f"columns have different lengths {sorted(lengths)}")
    n = lengths.pop()
    ids: list[int] = []
    fields: list[tuple[str, str]] = []
    flags = np.zeros(n, dtype=np.uint8)
    for name in names:
        if name in FLAGS:
            col_id, mask = FLAGS[name]
            if "flags" not in dict(fields):
                fields.append(("flags", "u1"))
            shift = (mask & -mask).bit_length() - 1
            values = np.asarray(columns[name]).astype(np.uint8)
            if np.any(values > (mask >> shift)):
                raise ValueError(f"flag {name!r} holds values above {mask >> shift}")
            flags |= (values << shift) & mask
        else:
            col_id, dtype = COLUMNS[name]
            fields.append((name, dtype))
        ids.append(col_id)
    table = np.zeros(n, dtype=fields)
    for name, _ in fields:
        table[name] = flags if name == "flags" else np.asarray(columns[name])
    return ids, table.tobytes(), n


def write_mpr(
    path: str | Path,
    columns: Mapping[str, np.ndarray],
    technique: str = "PEIS",
    *,
    data_version: int = 3,
    header: str = "v2",
    start: datetime = datetime(2025, 3, 1, 9, 30),
    log: bool = True,
) -> Path:
    """Write `columns` (galvani column name -> values, in file order) as an EC-Lab .mpr file.

    `technique` names the settings' technique (TECHNIQUE_IDS); `data_version` 2 or 3 and
    `header` "v1" or "v2" choose the module layout (see the module docstring); `start` is the
    experiment date written to the module headers and the log. Returns the path.
    """
    if technique not in TECHNIQUE_IDS:
        raise ValueError(f"technique {technique!r}: expected one of {sorted(TECHNIQUE_IDS)}")
    if data_version not in (2, 3):
        raise ValueError(f"data module version {data_version}: expected 2 or 3")
    ids, records, n = _records(columns)
    if len(ids) > 255:
        raise ValueError("at most 255 columns fit the u1 column count")
    date = start.strftime("%m/%d/%y").encode()

    comment = SYNTHETIC.encode()
    settings = bytes([TECHNIQUE_IDS[technique]]) + bytes(6) + bytes([len(comment)]) + comment
    settings = settings.ljust(512, b"\x00")

    block = np.array([n], "<u4").tobytes() + bytes([len(ids)]) + np.array(ids, "<u2").tobytes()
    block = block.ljust(DATA_HEADER_BYTES, b"\x00")
    if data_version == 3:
        block += b"\x01"

    out = MAGIC
    out += _module(b"VMP Set", b"VMP settings", 0, 10, date, settings, header)
    out += _module(b"VMP data", b"VMP data", data_version, 11, date, block + records, header)
    if log:
        ole_days = (start - OLE_EPOCH).total_seconds() / 86400.0
        log_data = bytearray(LOG_BYTES)
        log_data[LOG_DATE_OFFSET : LOG_DATE_OFFSET + 8] = np.array([ole_days], "<f8").tobytes()
        out += _module(b"VMP LOG", b"VMP LOG", 0, 10, date, bytes(log_data), header)
    path = Path(path)
    path.write_bytes(out)
    return path


def peis_columns(frequency_Hz: np.ndarray, Z: np.ndarray, cycle: int = 0) -> dict[str, np.ndarray]:
    """The columns of an EC-Lab PEIS sweep from frequencies (Hz) and impedance Z = Z' + jZ''
    (ohm): EC-Lab stores -Im(Z) = -Z'', positive on a capacitive arc."""
    f = np.asarray(frequency_Hz, dtype=float)
    z = np.asarray(Z, dtype=complex)
    n = f.size
    return {
        "mode": np.full(n, 3),
        "ox/red": np.zeros(n),
        "error": np.zeros(n),
        "control changes": np.zeros(n),
        "Ns changes": np.zeros(n),
        "counter inc.": np.zeros(n),
        "freq/Hz": f,
        "Re(Z)/Ohm": z.real,
        "-Im(Z)/Ohm": -z.imag,
        "|Z|/Ohm": np.abs(z),
        "Phase(Z)/deg": np.degrees(np.angle(z)),
        "time/s": 10.0 + np.cumsum(np.maximum(1.0 / f, 0.05)),
        "<Ewe>/V": np.full(n, 0.012),
        "<I>/mA": np.zeros(n),
        "cycle number": np.full(n, float(cycle)),
        "|Ewe|/V": np.full(n, 0.01),
        "|I|/A": 0.01 / np.abs(z),
        "Ns": np.zeros(n),
        "I Range": np.full(n, 41),
    }


def gcpl_columns(frame, cycle_offset: int = 0) -> dict[str, np.ndarray]:
    """The columns of an EC-Lab GCPL record from a point table with time_s, cycle, step,
    current_mA, voltage_V (as `labledger.demo.cycling_synthetic.build_table` makes).

    Like EC-Lab, the record starts with a point at time 0 (the first step's current and voltage,
    no charge yet), so it holds one row more than `frame`. `cycle number` is the table's cycle
    plus `cycle_offset` (EC-Lab counts from 0: use -1); `(Q-Qo)/mA.h` is the signed charge since
    the start, `Q charge/discharge/mA.h` the signed charge since the start of the half cycle."""

    def first_too(name: str) -> np.ndarray:
        values = frame[name].to_numpy()
        return np.r_[values[:1], values]

    t = np.r_[0.0, frame["time_s"].to_numpy(dtype=float)]
    cur = first_too("current_mA").astype(float)
    step = first_too("step")
    dq = cur * np.diff(t, prepend=0.0) / 3600.0
    new_step = np.r_[True, step[1:] != step[:-1]]
    seg = np.cumsum(new_step)
    q_seg = pd.Series(dq).groupby(seg).cumsum().to_numpy()
    n = t.size
    return {
        "mode": np.where(cur == 0, 3, 1),
        "ox/red": cur > 0,
        "error": np.zeros(n),
        "control changes": new_step,
        "Ns changes": new_step,
        "counter inc.": np.zeros(n),
        "Ns": step - step.min(),
        "time/s": t,
        "control/V/mA": cur,
        "Ewe/V": first_too("voltage_V").astype(float),
        "I/mA": cur,
        "dQ/mA.h": dq,
        "(Q-Qo)/mA.h": np.cumsum(dq),
        "I Range": np.full(n, 41),
        "Q charge/discharge/mA.h": q_seg,
        "half cycle": seg - 1,
        "cycle number": first_too("cycle").astype(float) + cycle_offset,
    }
