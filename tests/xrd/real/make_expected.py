"""Write expected.json: reading facts of every real scan, computed without labledger.

Run: .venv/bin/python tests/xrd/real/make_expected.py

For each file in expected.yaml: number of points and first/last 2theta (deg) from
xrayutilities (XRDML: `xu.io.XRDMLFile`; RAS: `xu.io.RASFile`), numpy (text columns: the
numeric rows) or the BRML's own XML (`<Datum>` rows, standard library); the Ka1 wavelength
stated in the header (XRDML `<kAlpha1>`, RAS `*HW_XG_WAVE_LENGTH_ALPHA1`, BRML
`<WaveLengthAlpha1 Value>`, an .xye header line "wavelength = ..."). Bruker .raw is binary and
no independent reader is installed, so its reading facts are left out (None) and the test
checks only the verdict there. The phase expectations stay in expected.yaml, as written from
the sources.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import yaml

HERE = Path(__file__).parent


def _text_columns(path: Path) -> dict:
    rows = []
    stated = None
    for line in path.read_text(errors="replace").splitlines():
        m = re.search(r"wavelength\s*[=:]\s*([0-9.]+)", line, re.I)
        if m and line.lstrip().startswith(("#", "/*")):
            stated = float(m.group(1))
        try:
            vals = [float(t) for t in re.split(r"[,;\s]+", line.strip()) if t]
        except ValueError:
            continue
        if len(vals) >= 2:
            rows.append(vals[:2])
    tt = np.array(rows)[:, 0]
    return {"n_points": int(tt.size), "first": float(tt[0]), "last": float(tt[-1]), "ka1": stated}


def _xrdml(path: Path) -> dict:
    import xrayutilities as xu

    scans = xu.io.XRDMLFile(str(path)).scans
    tt = np.asarray(scans[0]["2Theta"], dtype=float)
    m = re.search(rb"<kAlpha1[^>]*>([0-9.]+)<", path.read_bytes())
    return {
        "n_points": int(tt.size),
        "first": float(tt[0]),
        "last": float(tt[-1]),
        "ka1": float(m.group(1)) if m else None,
        "scans": len(scans),
    }


def _ras(path: Path) -> dict:
    import xrayutilities as xu

    scans = xu.io.RASFile(str(path)).scans
    data = scans[0].data
    tt = np.asarray(data[data.dtype.names[0]], dtype=float)
    m = re.search(rb'\*HW_XG_WAVE_LENGTH_ALPHA1\s+"([0-9.]+)"', path.read_bytes())
    return {
        "n_points": int(tt.size),
        "first": float(tt[0]),
        "last": float(tt[-1]),
        "ka1": float(m.group(1)) if m else None,
        "scans": len(scans),
    }


def _brml(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        name = sorted(n for n in zf.namelist() if re.search(r"RawData\d*\.xml$", n))[0]
        root = ElementTree.fromstring(zf.read(name))
    rows = [el.text for el in root.iter() if el.tag.endswith("Datum")]
    tt = [float(r.split(",")[2]) for r in rows]
    ka1 = next(float(el.get("Value")) for el in root.iter() if el.tag.endswith("WaveLengthAlpha1"))
    return {"n_points": len(tt), "first": tt[0], "last": tt[-1], "ka1": ka1}


def facts(path: Path) -> dict:
    suffix = path.suffix.lower()
    if suffix == ".xrdml":
        return _xrdml(path)
    if suffix == ".ras":
        return _ras(path)
    if suffix == ".brml":
        return _brml(path)
    if suffix == ".raw":
        return {"n_points": None, "first": None, "last": None, "ka1": None}
    return _text_columns(path)


def main() -> None:
    expected = yaml.safe_load((HERE / "expected.yaml").read_text())
    out = {name: facts((HERE / name).resolve()) for name in expected}
    (HERE / "expected.json").write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    print(f"wrote {HERE / 'expected.json'}: {len(out)} files")


if __name__ == "__main__":
    main()
