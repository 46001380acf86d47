"""Nyquist plot: an SVG with data, fit, outliers and the arcs labelled by role."""

from __future__ import annotations

import numpy as np

from labledger.demo.eis import PELLET
from labledger.eis.analysis import analyze_spectrum
from labledger.eis.plot import nyquist_plot
from labledger.eis.spectrum import Spectrum


def test_nyquist_svg_marks_arcs_and_outliers(tmp_path, h):
    f, z, _ = h.pellet_spectrum(1.6e-4, 1.2e-5, seed=2)
    z = z.copy()
    z[30] *= 1.3
    r = analyze_spectrum(Spectrum(f, z, "synthetic", "demo.csv"), PELLET)
    out = nyquist_plot(r, tmp_path / "sub" / "n.svg")
    svg = out.read_text()
    assert svg.lstrip().startswith("<?xml")
    for text in ("outlier", "bulk", "grain boundary", "f_c = ", "σ_total", "demo.csv"):
        assert text in svg, text
    assert np.isfinite(r.sigma_total_S_cm)
