"""Nyquist plot: an SVG with data, fit, outliers and the arcs labelled by role."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text

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


def test_nyquist_text_never_covers_a_data_point(tmp_path, h, saved_figures) -> None:  # type: ignore[no-untyped-def]
    """No text of the figure (arc labels, legend, title, axis labels) and no legend box lies
    over a drawn data point, in display coordinates, for spectra with one, two and three arcs
    in view."""
    saved = saved_figures
    cases = [(1.6e-4, 1.2e-5, 2), (1e-3, 2e-5, 1), (3e-4, 2.5e-4, 3), (5e-5, 4e-5, 4)]
    for sigma_bulk, sigma_total, seed in cases:
        f, z, _ = h.pellet_spectrum(sigma_bulk, sigma_total, seed=seed)
        r = analyze_spectrum(Spectrum(f, z, "synthetic", "demo.csv"), PELLET)
        nyquist_plot(r, tmp_path / f"n{seed}.svg")
    assert len(saved) == len(cases)
    n_labels = 0
    for fig in saved:
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        (ax,) = fig.axes
        data = next(line for line in ax.get_lines() if line.get_label() == "data")
        xy = ax.transData.transform(np.column_stack(data.get_data()))
        inside = ax.get_window_extent(renderer)
        xy = xy[[inside.contains(x, y) for x, y in xy]]  # points outside the axes are clipped
        assert len(xy) > 10
        boxes = [t.get_window_extent(renderer) for t in fig.findobj(Text) if t.get_text()]
        boxes += [leg.get_window_extent(renderer) for leg in fig.findobj(Legend)]
        n_labels += sum("f_c = " in t.get_text() for t in fig.findobj(Text))
        for box in boxes:
            covered = [(x, y) for x, y in xy if box.contains(x, y)]
            assert covered == [], (box, covered[:3])
    assert n_labels >= len(cases)  # the arcs are still named, with their apex frequencies
