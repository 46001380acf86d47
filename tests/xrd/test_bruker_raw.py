"""Bruker .raw v3 and v4: our reader against files of known content from our writer."""

from __future__ import annotations

import numpy as np
import pytest

from labledger.errors import InputFileError
from labledger.xrd.bruker_raw import read_bruker_raw, write_bruker_raw
from labledger.xrd.readers import read_scan
from labledger.xrd.scan import Wavelength

COUNTS = np.arange(1, 1002, dtype=float) * 3.5


@pytest.mark.parametrize("version", [3, 4])
def test_known_content(tmp_path, version):
    wl = Wavelength(1.78897, 1.79285, 0.47, "Co", True)
    p = write_bruker_raw(tmp_path / f"v{version}.raw", 12.5, 0.025, COUNTS, version, wl)
    scan = read_scan(p)
    assert scan.source_format == "raw"
    assert scan.metadata["raw_version"] == str(version)
    assert scan.n_points == COUNTS.size
    assert scan.two_theta_deg[0] == pytest.approx(12.5)
    assert scan.two_theta_deg[-1] == pytest.approx(12.5 + 0.025 * 1000)
    np.testing.assert_array_equal(scan.counts, COUNTS)
    assert scan.wavelength.ka1_a == pytest.approx(1.78897)
    assert scan.wavelength.ka2_a == pytest.approx(1.79285)
    assert scan.wavelength.ka2_ratio == pytest.approx(0.47)
    assert scan.wavelength.anode == "Co"


@pytest.mark.parametrize("version", [3, 4])
def test_truncated(tmp_path, version):
    p = write_bruker_raw(tmp_path / "t.raw", 10, 0.02, COUNTS, version)
    p.write_bytes(p.read_bytes()[:-400])
    with pytest.raises(InputFileError, match="truncated"):
        read_bruker_raw(p)


def test_header_only(tmp_path):
    p = write_bruker_raw(tmp_path / "t.raw", 10, 0.02, COUNTS, 4)
    p.write_bytes(p.read_bytes()[:70])
    with pytest.raises(InputFileError, match="truncated"):
        read_scan(p)


def test_old_versions_unsupported(tmp_path):
    p = tmp_path / "old.raw"
    p.write_bytes(b"RAW2" + bytes(300))
    with pytest.raises(InputFileError, match="version 1/2 is not supported"):
        read_scan(p)


def test_write_rejects_unknown_version(tmp_path):
    with pytest.raises(ValueError):
        write_bruker_raw(tmp_path / "x.raw", 10, 0.02, COUNTS, 2)


@pytest.mark.parametrize("version", [3, 4])
def test_every_range_of_a_multi_range_file(tmp_path, version):
    """Two ranges: the written range block appended once more (v3 also counts it at byte 12)."""
    import struct

    from labledger.xrd.readers import read_scans

    p = write_bruker_raw(tmp_path / "one.raw", 12.5, 0.025, COUNTS, version)
    data = bytearray(p.read_bytes())
    block_len = (304 if version == 3 else 160) + 4 * COUNTS.size
    block = bytearray(data[-block_len:])
    struct.pack_into("<d", block, 16 if version == 3 else 72, 40.0)  # second range starts at 40
    if version == 3:
        struct.pack_into("<I", data, 12, 2)
    two = tmp_path / "two.raw"
    two.write_bytes(bytes(data + block))
    scans = read_scans(two)
    assert [s.two_theta_deg[0] for s in scans] == pytest.approx([12.5, 40.0])
    assert [s.metadata["scans_in_file"] for s in scans] == ["2", "2"]
    np.testing.assert_array_equal(scans[1].counts, COUNTS)
    assert read_scan(two, scan_index=1).summary()["scan_index"] == 1
