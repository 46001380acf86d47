"""What follows the analyses, in one process: the samples' Arrhenius fits, ingest, provenance
export, report and queries.

The workflow runs this as one job (rule `publish`) instead of three chained ones: each job
started Python, imported SQLAlchemy and opened the database again, and Snakemake runs chained
jobs one after the other with its own pause between them, which on a one-record change cost
more than the work itself. The three steps stay commands of their own for people
(`labledger ingest`, `export-provenance`, `report build`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from labledger.config import Config
from labledger.db.ingest_write import IngestSummary
from labledger.provenance.publish import Published as ProvenanceExport
from labledger.report.build import ReportBuild


@dataclass(frozen=True)
class Publication:
    """What one publish did: the ingest, the provenance export and the report build."""

    ingest: IngestSummary
    provenance: ProvenanceExport
    report: ReportBuild


def publish(
    config: Config,
    provenance_out: Path | None = None,
    report_out: Path | None = None,
    queries_out: Path | None = None,
    echo: Callable[[str], None] = print,
) -> Publication:
    """Fit the samples' activation energies (`analyze_arrhenius`), ingest every record and
    result, export the provenance of the new runs into
    `provenance_out`, and build the report into `report_out` (saved queries' results into
    `queries_out` when given); defaults under the results folder. Prints a line per step."""
    from labledger.analyses.arrhenius import analyze_arrhenius
    from labledger.db.engine import display_url
    from labledger.db.ingest import ingest
    from labledger.provenance.publish import publish_provenance
    from labledger.report.build import build_report

    fits = analyze_arrhenius(config, rule="publish")
    if fits.written or fits.removed:
        echo(fits.describe())
    summary = ingest(config)
    hint = summary.notes_hint()
    if hint:
        echo(hint)
    echo(f"ingest into {display_url(config.database_url)}: {summary.describe()}")
    prov_dir = provenance_out or config.results_dir / "provenance"
    exported = publish_provenance(config, prov_dir)
    echo(
        f"provenance: {exported.n_runs} new run(s), {len(exported.rendered)} page(s) rendered"
        if exported.crate is not None
        else "provenance: no new runs since the previous export"
    )
    report_dir = report_out or config.results_dir / "report"
    build = build_report(config, report_dir, queries_out)
    echo(f"report: {build.describe(report_dir)}")
    return Publication(summary, exported, build)
