"""Plot of a fit: observed, calculated, difference and tick marks per phase (SVG)."""

from __future__ import annotations

from pathlib import Path

from labledger.xrd.analysis import XrdResult


def plot_result(result: XrdResult, out: str | Path, title: str | None = None) -> Path:
    """Write an SVG of `result`: observed counts (black, on top) over the calculated pattern
    (red), background, the difference observed - calculated offset below both, and tick marks
    of each phase's lines (2θ in degrees) with its weight fraction."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    x, y, yc = result.two_theta_deg, result.observed, result.calculated
    fig, ax = plt.subplots(figsize=(9, 5.5))
    # observed on top as a thin black line, the model under it as a wider line in red: where
    # they agree the red shows on both sides of the black (drawn the other way round, the model
    # hid the data)
    ax.plot(x, y, "-", lw=0.6, color="k", zorder=3, label="observed")
    ax.plot(x, yc, "-", lw=1.4, color="tab:red", zorder=2, label="calculated")
    ax.plot(x, result.background, "-", lw=0.6, color="tab:green", zorder=1, label="background")
    ymax = float(max(y.max(), yc.max()))
    diff = y - yc
    offset = -0.08 * ymax - diff.max()
    ax.plot(x, diff + offset, "-", lw=0.6, color="tab:blue", label="difference")
    tick_top = offset + diff.min() - 0.03 * ymax
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    names = [p.name for p in result.phases]
    for i, name in enumerate(names):
        pos = result.ticks.get(name)
        if pos is None:
            continue
        level = tick_top - (i + 1) * 0.05 * ymax
        ax.vlines(
            pos, level - 0.015 * ymax, level + 0.015 * ymax, color=colors[i % len(colors)], lw=0.8
        )
        wt = next(p.wt_percent for p in result.phases if p.name == name)
        ax.text(
            x[-1],
            level,
            f" {name} {wt:.1f} wt %" if wt is not None else f" {name} (not quantified)",
            va="center",
            fontsize=8,
            color=colors[i % len(colors)],
        )
    ax.set_xlabel("2θ (deg)")
    ax.set_ylabel("counts")
    ax.set_xlim(x[0], x[-1])
    label = title or Path(result.source.get("path", "")).name
    ax.set_title(f"{label}  Rwp {100 * result.rwp:.2f} %  GOF {result.gof:.2f}", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, format="svg")
    plt.close(fig)
    return out
