"""`labledger xrd ...`: analyse a scan, build reference patterns, write the demo scans.

Mounted on the `labledger` command (`labledger xrd ...`, or `python -m labledger xrd ...`). The
commands only parse options and format output; the work is in `labledger.xrd.analysis`,
`.references` and `labledger.demo.xrd`.
"""

from __future__ import annotations

import json
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
    scan: Annotated[
        int | None,
        typer.Option("--scan", help="Scan number (1-based) of a multi-scan file; default: all."),
    ] = None,
    wavelength: Annotated[
        str | None,
        typer.Option(
            "--wavelength",
            help="Ka1 in angstrom, or an anode (Cu, Co, Mo, Fe, Cr, Ag), for a file that states "
            "none (default: Cu Ka, and the result says it was assumed).",
        ),
    ] = None,
) -> None:
    """Identify the phases of one scan and give their wt % and refined cells.

    Every scan of a multi-scan file is analysed unless --scan picks one. The verdict says
    whether the listed phases explain the scan; when they do not, no weight fractions are given.

    Example: labledger xrd analyze records/raw/XRD-003.xy --json --plot XRD-003.svg
    """
    from labledger.xrd.analysis import analyze_file
    from labledger.xrd.phases import candidate_phases
    from labledger.xrd.readers import read_scans

    try:
        only = [n.strip() for n in only_phases.split(",") if n.strip()] if only_phases else None
        phases = candidate_phases(phase or [], only)
        indices = [scan - 1] if scan is not None else range(len(read_scans(file, fmt)))
        results = [
            analyze_file(file, phases, references, fmt, i, wavelength=wavelength) for i in indices
        ]
        if plot is not None:
            from labledger.xrd.plot import plot_result

            for n, result in enumerate(results, start=1):
                target = plot if len(results) == 1 else plot.with_stem(f"{plot.stem}-{n}")
                plot_result(result, target)
    except LabledgerError as err:
        _fail(err)
    docs = [r.to_dict() for r in results]
    doc = docs[0] if len(docs) == 1 else {"path": str(file), "scans": docs}
    if out is not None:
        write_text_atomic(out, json.dumps(doc, indent=2) + "\n")
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    for result in results:
        _echo_result(file, result)


def _echo_result(file: Path, result) -> None:
    where = result.verdict.get("scan_note")
    typer.echo(
        f"{file}{f' ({where})' if where else ''}: {result.verdict['summary']}; "
        f"Rwp {100 * result.rwp:.2f} %, GOF {result.gof:.2f}, "
        f"zero shift {result.zero_shift_deg:+.4f} deg"
    )
    typer.echo(f"  wavelength: {result.verdict['wavelength_note']}")
    for reason in result.verdict["reasons"]:
        typer.echo(f"  {reason}")
    for p in result.phases:
        cell = ", ".join(
            f"{k.split('_')[0]} {v:.4f}" for k, v in p.lattice.items() if not k.endswith("_esd")
        )
        wt = (
            f"{p.wt_percent:6.2f} +- {p.wt_percent_esd:.2f} wt %"
            if p.wt_percent is not None
            else "not quantified"
        )
        typer.echo(f"  {p.name:<18} {wt}   {cell}")
    for c in result.candidates:
        if not c.kept and c.reason.startswith("not supported"):
            typer.echo(f"  {c.name:<18} {c.reason}")


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
    from labledger.demo.xrd import write_demo_scans

    out.mkdir(parents=True, exist_ok=True)
    for d in write_demo_scans(out):
        wt = ", ".join(f"{k} {v:.1f}" for k, v in d.true_wt_percent.items())
        typer.echo(f"{d.file_name}: batch {d.batch_id}, {wt} wt %")
