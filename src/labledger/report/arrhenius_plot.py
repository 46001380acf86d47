"""The Arrhenius plot of a sample: its conductivities against 1000/T with the fitted lines.

Drawn with matplotlib when the sample's page is rendered, kept in the plot cache.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from labledger.report.plots import LEGEND_PT, LazyPlot, code_key
from labledger.report.svg import cached, inline_svg

#: Figure size of an Arrhenius plot, inches (shown up to 44rem, 704 px: 1.5 px per point).
ARRHENIUS_FIGSIZE = (6.4, 4.6)


@dataclass(frozen=True)
class ArrheniusSeries:
    """One conductivity of a sample at several temperatures and its Arrhenius fit.

    `points` are (spectrum id, temperature in C, sigma in S/cm, tooltip); the fit is
    ln(sigma T) = ln(A) - Ea / (k_B T) with `ea_ev` in eV (the arrhenius_fit row's), ln(A) the
    least-squares intercept for that slope, T in K. `label` names the data, `fit_label` the line.
    """

    quantity: str
    label: str
    fit_label: str
    ea_ev: float
    points: tuple[tuple[str, float, float, str], ...]

    def line(self, n: int = 60) -> tuple[list[float], list[float]]:
        """The fitted sigma (S/cm) at n temperatures over the points' range: (1000/T in 1/K,
        sigma)."""
        import numpy as np

        from labledger.eis.arrhenius import K_B_EV_PER_K, ZERO_C_IN_K

        tk = np.array([p[1] for p in self.points]) + ZERO_C_IN_K
        sigma = np.array([p[2] for p in self.points])
        slope = -self.ea_ev / K_B_EV_PER_K
        intercept = float(np.mean(np.log(sigma * tk) - slope / tk))
        t = np.linspace(tk.min(), tk.max(), n)
        return list(1000 / t), list(np.exp(intercept + slope / t) / t)


class ArrheniusPlot(LazyPlot):
    """The Arrhenius plot of a sample's conductivities: log sigma vs 1000/T with the fitted
    lines, drawn when its page is rendered and kept in the plot cache."""

    def __init__(self, series: Sequence[ArrheniusSeries], prefix: str, cache: Path) -> None:
        self.series, self.prefix, self.cache = tuple(series), prefix, cache
        self.used: set[Path] = set()

    def key(self) -> list[Any]:
        """The series, the id prefix, matplotlib's version and the plot code (`code_key`)."""
        from dataclasses import astuple
        from importlib.metadata import version

        return [
            [astuple(s) for s in self.series],
            self.prefix,
            version("matplotlib"),
            code_key(),
        ]

    def __html__(self) -> str:
        from labledger.page_manifest import data_key

        hit = self.cache / f"plot-arrhenius-{data_key(self.key())}.svg"
        return str(cached(hit, self.used, lambda: _draw_arrhenius(self.series, self.prefix)))


#: Marker and colour of each conductivity in an Arrhenius plot.
_ARRHENIUS_STYLE = {"sigma_total": ("o", "#1f4e9c"), "sigma_bulk": ("s", "#c2571a")}


def _draw_arrhenius(series: Sequence[ArrheniusSeries], prefix: str) -> Markup:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from labledger.eis.arrhenius import ZERO_C_IN_K

    titles: dict[str, str] = {}
    with matplotlib.rc_context({"svg.hashsalt": prefix, "svg.fonttype": "none"}):
        fig, ax = plt.subplots(figsize=ARRHENIUS_FIGSIZE, layout="constrained")
        try:
            for s in series:
                marker, colour = _ARRHENIUS_STYLE.get(s.quantity, ("D", "#444444"))
                xs, ys = s.line()
                (fit,) = ax.plot(xs, ys, "-", color=colour, lw=1.5, label=s.fit_label)
                fit.set_gid(f"fit-{s.quantity}")
                for k, (_spectrum, t_c, sigma, title) in enumerate(s.points):
                    (pt,) = ax.plot(
                        [1000 / (t_c + ZERO_C_IN_K)],
                        [sigma],
                        marker,
                        ms=7,
                        mfc="white",
                        mec=colour,
                        mew=1.5,
                        label=s.label if k == 0 else "_nolegend_",
                    )
                    gid = f"pt{len(titles)}"
                    pt.set_gid(gid)
                    titles[gid] = title
            ax.set_yscale("log")
            ax.set_xlabel("1000/T (1/K)")
            ax.set_ylabel("conductivity (S/cm)")
            ax.grid(True, which="major", color="#dddddd", lw=0.6)

            def to_celsius(x: Any) -> Any:
                with np.errstate(divide="ignore"):
                    return 1000 / np.asarray(x, float) - ZERO_C_IN_K

            def to_inverse(t: Any) -> Any:
                with np.errstate(divide="ignore"):
                    return 1000 / (np.asarray(t, float) + ZERO_C_IN_K)

            top = ax.secondary_xaxis("top", functions=(to_celsius, to_inverse))
            top.set_xlabel("T (\u00b0C)")
            ax.legend(fontsize=LEGEND_PT, frameon=False, loc="lower left")
            buf = io.StringIO()
            fig.savefig(buf, format="svg")
        finally:
            plt.close(fig)
    return inline_svg(_with_titles(buf.getvalue(), titles), prefix)


def _with_titles(svg: str, titles: dict[str, str]) -> str:
    """`svg` with a <title> as the first child of each group whose id `titles` names."""
    from html import escape

    for gid, title in titles.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{escape(title)}</title>', 1)
    return svg
