"""Writers for the scan formats `read_scan` understands (demo data and tests).

Each writer puts `header_lines` where the format has room for comments (a synthetic file says
so there). Files are written with the minimal structure the readers (ours and, for .xrdml and
.ras, xrayutilities') need, not every field an instrument would write.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from labledger.xrd.bruker_raw import write_bruker_raw
from labledger.xrd.scan import Wavelength

__all__ = ["write_brml", "write_bruker_raw", "write_ras", "write_scan", "write_xrdml", "write_xy"]


def _fmt_counts(y: np.ndarray) -> list[str]:
    return [f"{v:.0f}" if float(v).is_integer() else f"{v:.3f}" for v in y]


def write_xy(
    path: str | Path,
    two_theta: np.ndarray,
    counts: np.ndarray,
    sigma: np.ndarray | None = None,
    header_lines: list[str] | tuple[str, ...] = (),
    wavelength: Wavelength | None = None,
    delimiter: str = " ",
) -> Path:
    """Two or three columns with `# ` comment header lines (and the radiation, if given)."""
    path = Path(path)
    out = [f"# {h}" for h in header_lines]
    if wavelength is not None:
        out.append(f"# anode: {wavelength.anode or ''}")
        out.append(f"# ka1_A: {wavelength.ka1_a}")
        if wavelength.ka2_a:
            out.append(f"# ka2_A: {wavelength.ka2_a}")
            out.append(f"# ka2_ratio: {wavelength.ka2_ratio}")
    ys = _fmt_counts(np.asarray(counts))
    for i, (t, y) in enumerate(zip(two_theta, ys, strict=True)):
        cols = [f"{t:.4f}", y] + ([f"{sigma[i]:.3f}"] if sigma is not None else [])
        out.append(delimiter.join(cols))
    path.write_text("\n".join(out) + "\n")
    return path


def write_xrdml(
    path: str | Path,
    two_theta: np.ndarray,
    counts: np.ndarray,
    header_lines: list[str] | tuple[str, ...] = (),
    wavelength: Wavelength | None = None,
    sample: str = "synthetic",
) -> Path:
    """PANalytical XRDML 1.5 with one continuous 2Theta-Omega scan."""
    path = Path(path)
    wl = wavelength or Wavelength()
    tt = np.asarray(two_theta, dtype=float)
    comment = "".join(f"<entry>{h}</entry>" for h in header_lines)
    # "K-Alpha": the Ka1 + Ka2 doublet; "K-Alpha 1": a Ka1 monochromator (no Ka2 listed)
    doublet = bool(wl.ka2_a) and wl.ka2_ratio > 0
    used = (
        f"""    <usedWavelength intended="K-Alpha">
      <kAlpha1 unit="Angstrom">{wl.ka1_a:.6f}</kAlpha1>
      <kAlpha2 unit="Angstrom">{wl.ka2_a:.6f}</kAlpha2>
      <kBeta unit="Angstrom">1.392250</kBeta>
      <ratioKAlpha2KAlpha1>{wl.ka2_ratio:.4f}</ratioKAlpha2KAlpha1>
    </usedWavelength>"""
        if doublet
        else f"""    <usedWavelength intended="K-Alpha 1">
      <kAlpha1 unit="Angstrom">{wl.ka1_a:.6f}</kAlpha1>
    </usedWavelength>"""
    )
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/1.5" status="Completed">
  <comment>{comment}</comment>
  <sample type="To be analyzed"><id>{sample}</id><name>{sample}</name></sample>
  <xrdMeasurement measurementType="Scan" status="Completed">
{used}
    <incidentBeamPath><xRayTube><anodeMaterial>{wl.anode or "Cu"}</anodeMaterial></xRayTube>
    </incidentBeamPath>
    <scan appendNumber="0" mode="Continuous" scanAxis="Gonio" status="Completed">
      <header><startTimeStamp>2026-01-01T00:00:00</startTimeStamp></header>
      <dataPoints>
        <positions axis="2Theta" unit="deg">
          <startPosition>{tt[0]:.5f}</startPosition>
          <endPosition>{tt[-1]:.5f}</endPosition>
        </positions>
        <positions axis="Omega" unit="deg">
          <startPosition>{tt[0] / 2:.5f}</startPosition>
          <endPosition>{tt[-1] / 2:.5f}</endPosition>
        </positions>
        <commonCountingTime unit="seconds">1.00</commonCountingTime>
        <intensities unit="counts">{" ".join(_fmt_counts(np.asarray(counts)))}</intensities>
      </dataPoints>
    </scan>
  </xrdMeasurement>
</xrdMeasurements>
"""
    path.write_text(text)
    return path


def write_ras(
    path: str | Path,
    two_theta: np.ndarray,
    counts: np.ndarray,
    header_lines: list[str] | tuple[str, ...] = (),
    wavelength: Wavelength | None = None,
) -> Path:
    """Rigaku RAS with one scan (attenuation factor 1 on every point)."""
    path = Path(path)
    wl = wavelength or Wavelength()
    tt = np.asarray(two_theta, dtype=float)
    step = float(np.median(np.diff(tt)))
    head = [
        "*RAS_DATA_START",
        "*RAS_HEADER_START",
        f'*FILE_SAMPLE "{"; ".join(header_lines)}"',
        f'*HW_XG_TARGET_NAME "{wl.anode or "Cu"}"',
        f'*HW_XG_WAVE_LENGTH_ALPHA1 "{wl.ka1_a}"',
        f'*HW_XG_WAVE_LENGTH_ALPHA2 "{wl.ka2_a or wl.ka1_a}"',
        '*MEAS_SCAN_AXIS_X "TwoThetaOmega"',
        '*MEAS_SCAN_AXIS_X_INTERNAL "TwoThetaOmega"',
        f'*MEAS_DATA_COUNT "{tt.size}"',
        '*MEAS_SCAN_START_TIME "01/01/26 00:00:00"',
        '*MEAS_SCAN_END_TIME "01/01/26 01:00:00"',
        '*MEAS_SCAN_MODE "CONTINUOUS"',
        f'*MEAS_SCAN_START "{tt[0]:.4f}"',
        f'*MEAS_SCAN_STEP "{step:.4f}"',
        f'*MEAS_SCAN_STOP "{tt[-1]:.4f}"',
        '*MEAS_SCAN_SPEED "1.0"',
        '*MEAS_SCAN_UNIT_X "deg"',
        '*MEAS_SCAN_UNIT_Y "counts"',
        "*RAS_HEADER_END",
        "*RAS_INT_START",
    ]
    body = [f"{t:.4f} {y} 1.0000" for t, y in zip(tt, _fmt_counts(np.asarray(counts)), strict=True)]
    tail = ["*RAS_INT_END", "*RAS_DATA_END"]
    path.write_text("\n".join(head + body + tail) + "\n", encoding="latin-1")
    return path


def write_brml(
    path: str | Path,
    two_theta: np.ndarray,
    counts: np.ndarray,
    header_lines: list[str] | tuple[str, ...] = (),
    wavelength: Wavelength | None = None,
) -> Path:
    """Bruker BRML: a zip with Experiment0/RawData0.xml holding one coupled 2theta/theta scan."""
    path = Path(path)
    wl = wavelength or Wavelength()
    tt = np.asarray(two_theta, dtype=float)
    step = float(np.median(np.diff(tt)))
    rows = "\n".join(
        f"<Datum>1,1,{t:.5f},{t / 2:.5f},{y}</Datum>"
        for t, y in zip(tt, _fmt_counts(np.asarray(counts)), strict=True)
    )
    comment = " ".join(header_lines)
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<RawData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Identifier><Comment>{comment}</Comment></Identifier>
  <FixedInformation><Instrument><PrimaryTracks><TrackInfoData><MountedOptics>
    <InfoData xsi:type="MountedTube" LogicName="Tube">
      <Tube TubeMaterial="{wl.anode or "Cu"}">
        <WaveLengthAlpha1 Value="{wl.ka1_a}" Unit="Angstrom" />
        <WaveLengthAlpha2 Value="{wl.ka2_a or wl.ka1_a}" Unit="Angstrom" />
        <WaveLengthRatio Value="{wl.ka2_ratio}" />
      </Tube>
    </InfoData>
  </MountedOptics></TrackInfoData></PrimaryTracks></Instrument></FixedInformation>
  <DataRoutes><DataRoute>
    <ScanInformation ScanName="Coupled TwoTheta/Theta" MeasurementPoints="{tt.size}">
      <ScanAxes>
        <ScanAxisInfo AxisId="TwoTheta" AxisName="TwoTheta">
          <Start>{tt[0]:.5f}</Start><Stop>{tt[-1]:.5f}</Stop><Increment>{step:.5f}</Increment>
        </ScanAxisInfo>
        <ScanAxisInfo AxisId="Theta" AxisName="Theta">
          <Start>{tt[0] / 2:.5f}</Start><Stop>{tt[-1] / 2:.5f}</Stop>
          <Increment>{step / 2:.5f}</Increment>
        </ScanAxisInfo>
      </ScanAxes>
    </ScanInformation>
{rows}
  </DataRoute></DataRoutes>
</RawData>
"""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("experimentCollection.xml", "<ExperimentCollection />")
        zf.writestr("Experiment0/RawData0.xml", xml)
    path.write_bytes(buf.getvalue())
    return path


def write_scan(
    path: str | Path,
    two_theta: np.ndarray,
    counts: np.ndarray,
    header_lines: list[str] | tuple[str, ...] = (),
    wavelength: Wavelength | None = None,
) -> Path:
    """Write in the format named by the suffix of `path` (.xy .csv .xrdml .ras .brml .raw)."""
    path = Path(path)
    suffix = path.suffix.lower()
    tt = np.asarray(two_theta, dtype=float)
    if suffix in (".xy", ".xye", ".txt", ".dat"):
        return write_xy(path, tt, counts, None, header_lines, wavelength)
    if suffix == ".csv":
        return write_xy(path, tt, counts, None, header_lines, wavelength, delimiter=",")
    if suffix == ".xrdml":
        return write_xrdml(path, tt, counts, header_lines, wavelength)
    if suffix == ".ras":
        return write_ras(path, tt, counts, header_lines, wavelength)
    if suffix == ".brml":
        return write_brml(path, tt, counts, header_lines, wavelength)
    if suffix == ".raw":
        step = float(np.median(np.diff(tt)))
        return write_bruker_raw(path, float(tt[0]), step, counts, 4, wavelength)
    raise ValueError(f"no writer for suffix '{suffix}'")
