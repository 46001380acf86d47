"""Ka2 as the file states it: a doublet with its ratio, or Ka1 alone behind a monochromator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labledger.xrd.analysis import analyze_file
from labledger.xrd.fit import WholePatternFit
from labledger.xrd.phases import default_phases
from labledger.xrd.readers import read_scan
from labledger.xrd.scan import Scan, Wavelength
from labledger.xrd.writers import write_xrdml, write_xy

REAL = Path(__file__).parent / "real"
TT = np.round(np.arange(15.0, 80.0001, 0.01), 4)
KA1_ONLY = Wavelength(1.5406, None, 0.0, "Cu", True)


def test_real_xrdml_doublet_and_its_ratio_are_read():
    scan = read_scan(REAL / "datalab" / "HL1-2_5-90_60min.xrdml")  # intended="K-Alpha"
    assert scan.wavelength.ka1_a == pytest.approx(1.540598)
    assert scan.wavelength.ka2_a == pytest.approx(1.544426)
    assert scan.wavelength.ka2_ratio == pytest.approx(0.5)


def test_xrdml_intended_k_alpha_1_is_read_as_ka1_only(tmp_path):
    doublet = write_xrdml(tmp_path / "d.xrdml", TT, np.ones_like(TT), (), Wavelength(stated=True))
    text = doublet.read_text().replace('intended="K-Alpha"', 'intended="K-Alpha 1"')
    mono = tmp_path / "m.xrdml"
    mono.write_text(text)  # still lists Ka2 and a ratio 0.5, as instruments write it
    assert read_scan(doublet).wavelength.ka2_ratio == pytest.approx(0.5)
    wl = read_scan(mono).wavelength
    assert wl.ka2_a is None and wl.ka2_ratio == 0.0 and wl.ka1_a == pytest.approx(1.54056)


def test_ka2_equal_to_ka1_is_monochromatic(tmp_path):
    p = tmp_path / "s.xye"
    lines = ["# ka1_A: 0.7293", "# ka2_A: 0.7293", "# ka2_ratio: 1.0"]
    lines += [f"{t:.2f} 100" for t in TT[:200]]
    p.write_text("\n".join(lines) + "\n")
    wl = read_scan(p).wavelength
    assert wl.ka2_a is None and wl.ka1_a == pytest.approx(0.7293)


@pytest.fixture(scope="module")
def ka1_only_scan(refs):
    """LLTO measured behind a Ka1 monochromator (simulated, Poisson noise)."""
    template = WholePatternFit(Scan(TT, np.ones_like(TT), None, KA1_ONLY), [refs["LLTO_cubic"]])
    theta = template.initial_theta()
    theta[2], theta[3] = 0.0015, 0.001  # sharp lines: the doublet would be resolved
    cols, _ = template.evaluate(theta, derivatives=False)
    clean = cols[:, 0] * 20000 / cols[:, 0].max() + 150
    return np.random.default_rng(5).poisson(clean).astype(float)


def test_monochromated_scan_is_fitted_with_ka1_only(tmp_path, references_file, ka1_only_scan):
    """The file says Ka1 only: fitted as such, GOF at the counting-noise floor. The same
    counts in a plain .xy (no wavelength: the Cu doublet is assumed) fit worse, and the result
    says the wavelength was assumed."""
    xrdml = write_xrdml(tmp_path / "mono.xrdml", TT, ka1_only_scan, (), KA1_ONLY)
    xy = write_xy(tmp_path / "mono.xy", TT, ka1_only_scan)
    only = {"LLTO_cubic": default_phases()["LLTO_cubic"]}
    stated = analyze_file(xrdml, only, references_file)
    assumed = analyze_file(xy, only, references_file)
    assert "only (no Ka2), stated in the file" in stated.verdict["wavelength_note"]
    assert stated.verdict["status"] == "explained"
    assert stated.gof < 1.1, stated.gof
    assert "Cu Ka assumed" in assumed.verdict["wavelength_note"]
    assert assumed.gof > 1.5 * stated.gof, (stated.gof, assumed.gof)
