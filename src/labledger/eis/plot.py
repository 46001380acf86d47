"""Nyquist plot of a spectrum with its fit and the arcs marked (SVG, matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from labledger.eis.analysis import EISResult

ROLE_LABEL = {
    "bulk": "bulk",
    "grain_boundary": "grain boundary",
    "electrode": "electrode",
    "outside_window": "above window",
    "unassigned": "arc",
}


#: Apex markers of the arcs, highest frequency first.
APEX_MARKERS = ("v", "^", "s", "D", "P")


def _si(v: float, unit: str) -> str:
    for factor, prefix in ((1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m")):
        if abs(v) >= factor:
            return f"{v / factor:.3g} {prefix}{unit}"
    return f"{v:.3g} {unit}"


def nyquist_plot(result: EISResult, path: str | Path, title: str | None = None) -> Path:
    """Write a Nyquist plot (-Z'' vs Z', equal axes) of data, fit and arc apexes to `path` (SVG).

    Points removed as outliers are drawn as crosses; each arc's apex frequency f_c is marked on
    the fitted curve, and the legend below the axes names each marker's role, resistance (Ω)
    and f_c (Hz), so no text lies over the data.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sp, fit = result.spectrum, result.fit
    f, z = sp.frequency_Hz, sp.Z
    f_dense = np.logspace(np.log10(f.max()), np.log10(f.min()), 400)
    z_fit = fit.predict(f_dense)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    used = fit.used
    ax.plot(z.real[used], -z.imag[used], "o", ms=4, mfc="none", label="data")
    if (~used).any():
        ax.plot(z.real[~used], -z.imag[~used], "x", ms=7, color="tab:red", label="outlier")
    ax.plot(z_fit.real, -z_fit.imag, "-", color="tab:orange", label=f"fit {fit.circuit.text}")
    # each arc's apex is a marker on the fit; its words go to the legend below the axes, where
    # no text can cover a data point (labels beside the apexes did)
    for k, arc in enumerate(sorted(result.arcs, key=lambda a: -a.f_c_Hz)):
        if not np.isfinite(arc.f_c_Hz):
            continue
        za = fit.predict(np.array([arc.f_c_Hz]))[0]
        ax.plot(
            za.real,
            -za.imag,
            APEX_MARKERS[k % len(APEX_MARKERS)],
            color="k",
            ms=7,
            linestyle="none",
            label=f"{ROLE_LABEL.get(arc.role, arc.role)} apex: {arc.resistor} = "
            f"{_si(arc.R_ohm, 'Ω')}, f_c = {_si(arc.f_c_Hz, 'Hz')}",
        )
    ax.set_xlabel("Z' (Ω)")
    ax.set_ylabel("-Z'' (Ω)")
    # zoom on the arcs: the spike of a blocking electrode would flatten them
    r_arcs = result.R_total_ohm
    if r_arcs is None and result.arcs:
        r_arcs = sum(a.R_ohm for a in result.arcs) + float(z.real.min())
    x0 = min(0.0, float(z.real.min()))
    x1 = float(z.real.max()) * 1.05
    if r_arcs is not None:
        x1 = min(1.4 * r_arcs, x1)
    ax.set_xlim(x0, x1)
    ax.set_ylim(min(0.0, float(-z.imag.min())), 0.75 * (x1 - x0))
    ax.set_aspect("equal", adjustable="box")
    ax.grid(alpha=0.3)
    lines = [title or Path(sp.path).name]
    if result.sigma_total_S_cm is not None:
        t = f"σ_total = {result.sigma_total_S_cm:.3g} S/cm"
        if result.sigma_bulk_S_cm is not None:
            t += f", σ_bulk = {result.sigma_bulk_S_cm:.3g} S/cm"
        lines.append(t)
    ax.set_title("\n".join(lines), fontsize=9)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1, frameon=False)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text: small, searchable
        fig.savefig(out, format="svg", bbox_inches="tight")
    plt.close(fig)
    return out
