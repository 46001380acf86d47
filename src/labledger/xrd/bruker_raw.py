"""Bruker DIFFRAC .raw files, versions 3 ("RAW1.01") and 4 ("RAW4.00"): reader and writer.

Layout (little-endian), as documented in DIFFRAC^plus XCH 5.0 User's Manual, Appendix A (v3),
and as read by xylib's bruker_raw.cpp (v3 and v4):

v3: a 712-byte file header (at 12: uint32 range count; 608: 4-char anode; 616..648: float64
    Ka average, Ka1, Ka2, Kb, Ka2/Ka1 ratio), then per range a 304-byte header (0: uint32 header
    length = 304; 4: uint32 steps; 16: float64 start 2theta; 176: float64 step; 192: float32 time
    per step; 256: uint32 size of supplementary headers), those supplementary headers, and
    `steps` float32 counts.
v4: a 61-byte header ("RAW4.00", date at 12, time at 24), then metadata segments
    (uint32 type, uint32 length incl. these 8 bytes; type 30 = hardware with float64 Ka average,
    Ka1, Ka2, Kb, ratio at +72..+104 and the anode at +116), then ranges: a 160-byte range
    header whose first uint32 is 160 (32: 24-char scan type; 72: float64 start angle; 80:
    float64 step; 88: uint32 steps; 92: float32 time per step; 112: float64 used lambda; 136:
    uint32 datum size = 4; 140: uint32 size of the following range sub-headers), the
    sub-headers, and `steps` float32 counts.

Every range of a multi-range file is read (`read_bruker_raw_scans`; `read_bruker_raw` gives the
first); each scan's metadata says how many ranges the file holds. The writer makes files with
exactly this layout so the reader is tested against known content.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from labledger.errors import InputFileError
from labledger.xrd.header import checked_scan, wavelength_from
from labledger.xrd.scan import Scan, Wavelength

V3_FILE_HEADER = 712
V3_RANGE_HEADER = 304
V4_FILE_HEADER = 61
V4_RANGE_HEADER = 160
V4_HARDWARE_SEGMENT = 30
V4_HARDWARE_LEN = 120
COUPLED_SCANS = ("Locked Coupled", "Unlocked Coupled", "locked coupled", "unlocked coupled")


class _Cursor:
    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self.data = path, data

    def unpack(self, fmt: str, offset: int) -> tuple:
        size = struct.calcsize(fmt)
        if offset < 0 or offset + size > len(self.data):
            raise InputFileError(
                self.path,
                f"the file ends at byte {len(self.data)} but byte {offset + size} is needed; "
                "the Bruker RAW file is truncated",
            )
        return struct.unpack_from(fmt, self.data, offset)

    def text(self, offset: int, size: int) -> str:
        (raw,) = self.unpack(f"{size}s", offset)
        return raw.split(b"\x00", 1)[0].decode("latin-1").strip()


def read_bruker_raw(path: str | Path, data: bytes | None = None) -> Scan:
    """The first range of a Bruker .raw v3 or v4 file (see `read_bruker_raw_scans`)."""
    return read_bruker_raw_scans(path, data)[0]


def read_bruker_raw_scans(path: str | Path, data: bytes | None = None) -> list[Scan]:
    """Every range of a Bruker .raw v3 or v4 file; `InputFileError` for other versions or damage."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    if data.startswith(b"RAW1.01"):
        return _read_v3(_Cursor(path, data))
    if data.startswith(b"RAW4.00"):
        return _read_v4(_Cursor(path, data))
    if data.startswith((b"RAW ", b"RAW2")):
        raise InputFileError(
            path, "Bruker RAW version 1/2 is not supported; expected version 3 or 4"
        )
    raise InputFileError(
        path, "not a Bruker RAW file; expected it to start with 'RAW1.01' or 'RAW4.00'"
    )


def _wavelength(ka1: float, ka2: float, ratio: float, anode: str) -> Wavelength:
    ok = 0.1 < ka1 < 5.0
    return wavelength_from(ka1 if ok else None, ka2 if ok and ka2 > 0 else None, ratio, anode)


def _counts(cur: _Cursor, offset: int, steps: int) -> np.ndarray:
    need = offset + 4 * steps
    if need > len(cur.data):
        raise InputFileError(
            cur.path,
            f"the range declares {steps} points but the file ends after "
            f"{max(0, (len(cur.data) - offset) // 4)}; the Bruker RAW file is truncated",
        )
    return np.frombuffer(cur.data, "<f4", steps, offset).astype(float)


def _finish(
    cur: _Cursor,
    start: float,
    step: float,
    steps: int,
    offset: int,
    wl: Wavelength,
    version: str,
    meta: dict[str, str],
) -> Scan:
    if steps <= 0 or not np.isfinite(step) or step <= 0 or not np.isfinite(start):
        raise InputFileError(
            cur.path, f"implausible range header (start {start}, step {step}, {steps} steps)"
        )
    y = _counts(cur, offset, steps)
    tt = start + step * np.arange(steps)
    meta = {"raw_version": version, **meta}
    return checked_scan(cur.path, tt, y, None, wl, "raw", meta)


def _numbered(scans: list[Scan]) -> list[Scan]:
    for i, scan in enumerate(scans):
        scan.metadata.update(scans_in_file=str(len(scans)), scan_index=str(i))
    return scans


def _read_v3(cur: _Cursor) -> list[Scan]:
    (n_ranges,) = cur.unpack("<I", 12)
    anode = cur.text(608, 4)
    _avg, ka1, ka2, _kb, ratio = cur.unpack("<5d", 616)
    if n_ranges < 1:
        raise InputFileError(cur.path, "the Bruker RAW file holds no measured range")
    wl = _wavelength(ka1, ka2, ratio, anode)
    off = V3_FILE_HEADER
    scans = []
    for _ in range(n_ranges):
        (hlen, steps) = cur.unpack("<II", off)
        if hlen != V3_RANGE_HEADER:
            raise InputFileError(
                cur.path, f"range header length {hlen}; expected {V3_RANGE_HEADER} (damaged file)"
            )
        (start_2theta,) = cur.unpack("<d", off + 16)
        (step,) = cur.unpack("<d", off + 176)
        (supp,) = cur.unpack("<I", off + 256)
        meta = {"date": cur.text(16, 10), "time": cur.text(26, 10), "sample": cur.text(326, 60)}
        scans.append(_finish(cur, start_2theta, step, steps, off + hlen + supp, wl, "3", meta))
        off += hlen + supp + 4 * steps
    return _numbered(scans)


def _read_v4(cur: _Cursor) -> list[Scan]:
    off = V4_FILE_HEADER
    ka1 = ka2 = ratio = 0.0
    anode = ""
    while True:
        (seg_type,) = cur.unpack("<I", off)
        if seg_type in (0, V4_RANGE_HEADER):
            break
        (seg_len,) = cur.unpack("<I", off + 4)
        if seg_len < 8:
            raise InputFileError(cur.path, f"metadata segment of length {seg_len} at byte {off}")
        if seg_type == V4_HARDWARE_SEGMENT and seg_len >= V4_HARDWARE_LEN:
            _avg, ka1, ka2, _kb, ratio = cur.unpack("<5d", off + 72)
            anode = cur.text(off + 116, 4)
        off += seg_len
    wl = _wavelength(ka1, ka2, ratio, anode)
    scans: list[Scan] = []
    # ranges follow one another, each a 160-byte header, its sub-headers and its counts
    while not scans or (
        off + V4_RANGE_HEADER <= len(cur.data) and cur.unpack("<I", off)[0] == V4_RANGE_HEADER
    ):
        scan_type = cur.text(off + 32, 24)
        (start,) = cur.unpack("<d", off + 72)
        (step,) = cur.unpack("<d", off + 80)
        (steps,) = cur.unpack("<I", off + 88)
        (datum_size, sub_headers) = cur.unpack("<II", off + 136)
        if scan_type and scan_type not in COUPLED_SCANS and "2theta" not in scan_type.lower():
            raise InputFileError(
                cur.path, f"scan type '{scan_type}'; expected a coupled 2theta/theta scan"
            )
        if datum_size != 4:
            raise InputFileError(cur.path, f"datum size {datum_size}; expected 4-byte float counts")
        meta = {"date": cur.text(12, 12), "time": cur.text(24, 10), "scan_type": scan_type}
        data_at = off + V4_RANGE_HEADER + sub_headers
        scans.append(_finish(cur, start, step, steps, data_at, wl, "4", meta))
        off = data_at + 4 * steps
    return _numbered(scans)


# ------------------------------------------------------------------------------------ writer


def write_bruker_raw(
    path: str | Path,
    two_theta_start: float,
    step: float,
    counts: np.ndarray,
    version: int = 4,
    wavelength: Wavelength | None = None,
    sample: str = "synthetic",
    time_per_step: float = 1.0,
) -> Path:
    """Write an equally stepped scan as a Bruker .raw file of `version` 3 or 4."""
    path = Path(path)
    wl = wavelength or Wavelength()
    ka2 = wl.ka2_a or 0.0
    avg = (2 * wl.ka1_a + ka2) / 3 if ka2 else wl.ka1_a
    y = np.asarray(counts, dtype="<f4")
    anode = (wl.anode or "Cu").encode()[:4].ljust(4, b"\x00")
    if version == 3:
        head = bytearray(V3_FILE_HEADER)
        head[0:7] = b"RAW1.01"
        struct.pack_into("<II", head, 8, 1, 1)
        head[16:26] = b"01/01/2026"
        head[26:34] = b"00:00:00"
        head[326 : 326 + min(60, len(sample))] = sample.encode()[:60]
        head[608:612] = anode
        struct.pack_into("<5d", head, 616, avg, wl.ka1_a, ka2, 0.0, wl.ka2_ratio)
        rng = bytearray(V3_RANGE_HEADER)
        struct.pack_into("<II", rng, 0, V3_RANGE_HEADER, y.size)
        struct.pack_into("<dd", rng, 8, two_theta_start / 2, two_theta_start)
        struct.pack_into("<d", rng, 176, step)
        struct.pack_into("<f", rng, 192, time_per_step)
        struct.pack_into("<d", rng, 240, wl.ka1_a)
        struct.pack_into("<I", rng, 256, 0)
        path.write_bytes(bytes(head) + bytes(rng) + y.tobytes())
        return path
    if version != 4:
        raise ValueError(f"Bruker RAW version {version} cannot be written; use 3 or 4")
    head = bytearray(V4_FILE_HEADER)
    head[0:7] = b"RAW4.00"
    head[12:22] = b"2026-01-01"
    head[24:32] = b"00:00:00"
    hw = bytearray(V4_HARDWARE_LEN)
    struct.pack_into("<II", hw, 0, V4_HARDWARE_SEGMENT, V4_HARDWARE_LEN)
    struct.pack_into("<5d", hw, 72, avg, wl.ka1_a, ka2, 0.0, wl.ka2_ratio)
    hw[116:120] = anode
    rng = bytearray(V4_RANGE_HEADER)
    struct.pack_into("<I", rng, 0, V4_RANGE_HEADER)
    rng[32:46] = b"Locked Coupled"
    struct.pack_into("<ddIf", rng, 72, two_theta_start, step, y.size, time_per_step)
    struct.pack_into("<d", rng, 112, wl.ka1_a)
    struct.pack_into("<II", rng, 136, 4, 0)
    path.write_bytes(bytes(head) + bytes(hw) + bytes(rng) + y.tobytes())
    return path
