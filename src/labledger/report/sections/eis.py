"""The impedance section of batch and electrode pages: each spectrum's fit and conductivities,
and the sample's Arrhenius plot."""

from __future__ import annotations

from typing import Any

from labledger.report.arrhenius_plot import ArrheniusPlot, ArrheniusSeries
from labledger.report.plots import PLOT_CACHE
from labledger.report.quantities import fmt_value, quantity_text
from labledger.report.sections import PageParts, Section, builtin_template


def view(parts: PageParts, sample: str) -> dict[str, Any]:
    """The spectra of `sample`, each with its plot, provenance and raw file link, and the
    sample's Arrhenius plot (None with fewer than two temperatures) with the provenance of
    its fit."""
    spectra = [
        {
            "e": e,
            "plot": parts.plot(e["id"]),
            "prov": parts.provenance(e["id"]),
            "raw": parts.links.raw_file(e["id"]),
        }
        for e in parts.grouped(parts.data.eis, "sample").get(sample, [])
    ]
    fit = parts.data.runs.get(sample)
    return {
        "spectra": spectra,
        "arrhenius": arrhenius_plot(parts, sample),
        "arrhenius_prov": (
            parts.provenance(sample) if fit and fit["analysis"] == "arrhenius" else None
        ),
    }


def arrhenius_plot(parts: PageParts, sample: str) -> ArrheniusPlot | None:
    """The Arrhenius plot of a sample with conductivities at two or more temperatures."""
    by_id = {e["id"]: e for e in parts.grouped(parts.data.eis, "sample").get(sample, [])}
    series = []
    fits = parts.grouped(parts.data.arrhenius, "sample").get(sample, [])
    for fit in sorted(fits, key=lambda f: f["quantity"] != "sigma_total"):  # total first
        quantity = fit["quantity"]  # sigma_total or sigma_bulk: eis_figures' columns
        column = f"{quantity}_s_cm"
        spectra = [by_id.get(i) for i in fit["eis_ids"].split(",")]
        points = tuple(
            (
                e["id"],
                e["temperature_c"],
                e[column],
                f"{e['id']}: {quantity_text(e['temperature_c'], 'temperature')},"
                f" {quantity} {quantity_text(e[column], 'sigma')}",
            )
            for e in spectra
            if e is not None and e["temperature_c"] is not None and e[column]
        )
        if len({p[1] for p in points}) < 2:
            continue
        ea = quantity_text(fit["ea_ev"], "ea")
        if fit["ea_stderr_ev"] is not None:
            ea = ea.replace(" eV", f" \u00b1 {fmt_value(fit['ea_stderr_ev'], 'ea')} eV")
        series.append(
            ArrheniusSeries(
                quantity=quantity,
                label=f"{quantity}, {len(points)} spectra",
                fit_label=f"{quantity} fit: Ea = {ea}",
                ea_ev=fit["ea_ev"],
                points=points,
            )
        )
    if not series:
        return None
    return ArrheniusPlot(series, f"arr-{sample}", parts.out_dir / PLOT_CACHE)


SECTION = Section(
    anchor="eis", title="Impedance", template=builtin_template("eis.html.j2"), view=view
)
