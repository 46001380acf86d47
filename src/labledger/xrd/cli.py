"""`labledger xrd ...`: analyse a scan, build reference patterns, write the demo scans.

Run standalone as `python -m labledger.xrd.cli ...`. The commands only parse options and format
output; the work is in `labledger.xrd.analysis`, `.references` and `.demo`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from labledger.atomic import write_text_atomic
from labledger.errors import LabledgerError

app = typer.Typer(help="Powder XRD: phase identification, weight fractions, lattice parameters.")

PhaseOpt = Annotated[
    list[str] | None,
    typer.Option("--phase", help="Add or replace a candidate phase: NAME=path.cif (repeatable)."),
]


def _fail(err: LabledgerError) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(1)


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="Scan file (.xy .csv .xrdml .ras .brml .raw).")],
    phase: PhaseOpt = None,
    only_phases: Annotated[
        str | None, typer.Option("--only-phases", help="Comma-separated candidate names.")
    ] = None,
    references: Annotated[
        Path | None,
        typer.Option("--references", help="References file from `labledger xrd references`."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write an SVG plot here.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the JSON result to this file.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="auto, xy, csv, xrdml, ras, brml or raw.")
    ] = "auto",
) -> None:
    """Identify the phases of one scan and give their wt % and refined cells.

    Example: labledger xrd analyze records/raw/XRD-003.xy --json --plot XRD-003.svg
    """
    from labledger.xrd.analysis import analyze_file
    from labledger.xrd.phases import candidate_phases

    try:
        only = [n.strip() for n in only_phases.split(",") if n.strip()] if only_phases else None
        phases = candidate_phases(phase or [], only)
        result = analyze_file(file, phases, references, fmt)
        if plot is not None:
            from labledger.xrd.plot import plot_result

            plot_result(result, plot)
    except LabledgerError as err:
        _fail(err)
    if out is not None:
        write_text_atomic(out, json.dumps(result.to_dict(), indent=2) + "\n")
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    typer.echo(
        f"{file}: {len(result.phases)} phase(s), Rwp {100 * result.rwp:.2f} %, "
        f"GOF {result.gof:.2f}, zero shift {result.zero_shift_deg:+.4f} deg"
    )
    for p in result.phases:
        cell = ", ".join(
            f"{k.split('_')[0]} {v:.4f}" for k, v in p.lattice.items() if not k.endswith("_esd")
        )
        typer.echo(f"  {p.name:<18} {p.wt_percent:6.2f} +- {p.wt_percent_esd:.2f} wt %   {cell}")


@app.command("references")
def references_cmd(
    out: Annotated[Path, typer.Option("--out", help="JSON file to write.")],
    phase: PhaseOpt = None,
    only_phases: Annotated[
        str | None, typer.Option("--only-phases", help="Comma-separated phase names.")
    ] = None,
) -> None:
    """Compute reference patterns of the candidate phases once (pymatgen) into a JSON file.

    Example: labledger xrd references --out results/xrd/references.json --phase X=x.cif
    """
    from labledger.xrd.phases import candidate_phases
    from labledger.xrd.references import build_references

    try:
        only = [n.strip() for n in only_phases.split(",") if n.strip()] if only_phases else None
        phases = candidate_phases(phase or [], only)
        build_references(phases, out)
    except LabledgerError as err:
        _fail(err)
    typer.echo(f"wrote {out}: {', '.join(phases)}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo scans.")],
) -> None:
    """Write the synthetic demo scans XRD-001..XRD-008 (deterministic).

    Example: labledger xrd demo --out records/raw
    """
    from labledger.xrd.demo import write_demo_scans

    out.mkdir(parents=True, exist_ok=True)
    for d in write_demo_scans(out):
        wt = ", ".join(f"{k} {v:.1f}" for k, v in d.true_wt_percent.items())
        typer.echo(f"{d.file_name}: batch {d.batch_id}, {wt} wt %")


def main() -> None:  # pragma: no cover - thin wrapper
    app(prog_name="labledger xrd")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
