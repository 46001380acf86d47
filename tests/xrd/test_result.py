"""The result object: JSON-safe to_dict, Hill-Howard fractions, plot output."""

from __future__ import annotations

import json

import numpy as np
import pytest

from labledger.xrd.analysis import analyze_scan
from labledger.xrd.fit import WholePatternFit
from labledger.xrd.refdata import cell_volume
from labledger.xrd.scan import Scan, Wavelength


@pytest.fixture(scope="module")
def two_phase(refs):
    """LLTO + 10 wt % rutile made with the forward model (known scales), fitted back."""
    tt = np.round(np.arange(10, 80.0001, 0.02), 4)
    chosen = [refs["LLTO_tetragonal"], refs["rutile"]]
    model = WholePatternFit(Scan(tt, np.ones_like(tt), None, Wavelength(stated=True)), chosen)
    theta = model.initial_theta()
    cols, _ = model.evaluate(theta, derivatives=False)
    wt = np.array([0.9, 0.1])
    mv = np.array([r.cell_mass * cell_volume(r.lattice) for r in chosen])
    scales = wt / mv
    scales *= 12000 / (cols @ scales).max()
    counts = np.random.default_rng(3).poisson(cols @ scales + 250).astype(float)
    scan = Scan(tt, counts, None, Wavelength(stated=True), "xy", "mem")
    return analyze_scan(scan, {r.name: r for r in chosen}), scales


def test_hill_howard(two_phase):
    result, _ = two_phase
    by = {p.name: p for p in result.phases}
    w = {n: p.scale * p.cell_mass_amu * p.cell_volume_A3 for n, p in by.items()}
    total = sum(w.values())
    for n, p in by.items():
        assert p.wt_percent == pytest.approx(100 * w[n] / total, rel=1e-9)
    assert by["rutile"].wt_percent == pytest.approx(10.0, abs=0.5)
    assert 0 < by["rutile"].wt_percent_esd < 1


def test_to_dict_is_plain_json(two_phase):
    result, _ = two_phase
    d = result.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = json.loads(text)
    assert back["phases_detected"] == ["LLTO_tetragonal", "rutile"]
    llto = back["phases"][0]
    assert {"a_A", "c_A", "a_A_esd", "c_A_esd"} <= set(llto["lattice"])
    assert "b_A" not in llto["lattice"]
    assert set(back["references"]["rutile"]) == {"cif_sha256", "code_version", "cif"}
    assert set(back["references"]) == {"LLTO_tetragonal", "rutile"}  # every candidate
    for key in ("rwp_percent", "gof", "zero_shift_deg", "analysis_version", "candidates"):
        assert key in back


def test_plot_svg(tmp_path, two_phase):
    from labledger.xrd.plot import plot_result

    result, _ = two_phase
    out = plot_result(result, tmp_path / "fit.svg")
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "rutile" in text


def _pixels(fig) -> np.ndarray:  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _visible_share(fig, line) -> float:  # type: ignore[no-untyped-def]
    """Share of the pixels `line` paints when drawn alone that it still paints in the figure:
    1 when nothing covers it, near 0 when another trace is drawn over it."""
    (ax,) = fig.axes
    others = [a for a in [*ax.lines, *ax.collections] if a is not line]
    painted = _pixels(fig) != _pixels_without(fig, line)
    for a in others:
        a.set_visible(False)
    alone = _pixels(fig) != _pixels_without(fig, line)
    for a in others:
        a.set_visible(True)
    return float(painted.any(axis=2).sum() / alone.any(axis=2).sum())


def _pixels_without(fig, line) -> np.ndarray:  # type: ignore[no-untyped-def]
    line.set_visible(False)
    try:
        return _pixels(fig)
    finally:
        line.set_visible(True)


def test_plot_shows_observed_over_calculated(tmp_path, two_phase, saved_figures) -> None:  # type: ignore[no-untyped-def]
    """The observed trace is drawn over the calculated one and most of it stays in sight; the
    calculated line, of another colour, is in sight too; the difference curve lies below both."""
    from matplotlib.colors import to_rgb

    from labledger.xrd.plot import plot_result

    saved = saved_figures
    result, _ = two_phase
    plot_result(result, tmp_path / "fit.svg")
    (fig,) = saved
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.lines}
    obs, calc, diff = lines["observed"], lines["calculated"], lines["difference"]
    assert obs.get_zorder() > calc.get_zorder()
    assert np.abs(np.subtract(to_rgb(obs.get_color()), to_rgb(calc.get_color()))).sum() > 0.5
    assert _visible_share(fig, obs) > 0.9
    assert _visible_share(fig, calc) > 0.3
    assert diff.get_ydata().max() < min(obs.get_ydata().min(), calc.get_ydata().min())
