"""`labledger cycling ...`: analyse a cycling file from the command line (no records needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from labledger.errors import LabledgerError

app = typer.Typer(help="Cycling analysis: CE, nucleation, retention and cycle life.")


def _fmt(value: float | None, spec: str, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def _pct(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _summary_lines(d: dict) -> list[str]:
    s, w = d["summary"], d["window"]
    lines = [f"{d['source']} ({d['dialect']}, {d['cell_type']} cell): {s['n_cycles']} cycles"]
    r = d.get("reading")
    if r:
        lines.append(
            f"read {r['rows']} rows, {r['half_cycles']} half-cycles, {r['complete_cycles']} "
            f"complete cycles ({r['tester_cycles']} tester cycle numbers)"
        )
        lines += [f"left out: {x['count']} {x['what']}(s), {x['why']}" for x in r["left_out"]]
    if d["activation"]["file_cycles"]:
        lines.append(f"activation (excluded): file cycles {d['activation']['file_cycles']}")
    pct = {k: None if s[k] is None else 100 * s[k] for k in ("mean_ce", "pooled_ce")}
    lines.append(
        f"window {w['first']}-{w['last']}: mean CE {_fmt(pct['mean_ce'], '.2f', ' %')}, "
        f"sum ratio {_fmt(pct['pooled_ce'], '.2f', ' %')}"
    )
    if d["cell_type"] == "half":
        lines.append(f"CE first >= 99 % at cycle {_fmt(s['first_cycle_ce_99'], 'd')}")
        nuc = d["nucleation"]
        if nuc:
            j = nuc["current_density_mA_cm2"]
            at = f" at {j:.3g} mA/cm2" if j else ""
            lines.append(
                f"nucleation overpotential {nuc['eta_nuc_mV']:.1f} mV{at}"
                f"{'' if nuc['notable'] else ' (not notable)'}"
            )
        lines.append(f"mean hysteresis {_fmt(s['mean_hysteresis_mV'], '.1f', ' mV')}")
        fail = d["failure"]
        lines.append(
            "failure: none detected"
            if not fail
            else f"failure from cycle {fail['cycle']}: {', '.join(fail['reasons'])}"
        )
    else:
        lines.append(
            f"reference cycle {d['reference_cycle']} "
            f"({s['reference_discharge_mAh']:.4g} mAh discharge); final retention "
            f"{_fmt(_pct(s['final_retention']), '.1f', ' %')}"
        )
        life = s["cycle_life"]
        lines.append(f"cycle life (first < 80 %): {life if life else 'not reached'}")
        lines.append(
            f"mean average discharge voltage {_fmt(s['mean_avg_discharge_V'], '.3f', ' V')}"
        )
    lines += [f"FLAG: {f}" for f in d.get("flags", [])]
    lines += [f"note: {n}" for n in d["notes"]]
    return lines


def _parse_columns(text: str | None) -> dict | None:
    from labledger.cycling.table import CyclingAnalysisError

    if not text:
        return None
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CyclingAnalysisError(f"--columns is not valid JSON ({exc})") from None
    if not isinstance(mapping, dict):
        raise CyclingAnalysisError("--columns must be a JSON object: name -> column")
    return mapping


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="Cycling file: csv, xlsx, nda, ndax, mpr, mpt.")],
    cell_type: Annotated[
        str, typer.Option("--type", help="half (Li plating/stripping), full or anode-free.")
    ] = "half",
    area_cm2: Annotated[
        float | None, typer.Option("--area-cm2", help="Electrode area in cm2.")
    ] = None,
    window: Annotated[
        str | None,
        typer.Option(
            help="Cycles for mean CE, FIRST-LAST or FIRST- (after activation; "
            "default 2 to the end)."
        ),
    ] = None,
    reference_cycle: Annotated[
        int | None, typer.Option(help="Full cells: reference cycle for retention (default 1).")
    ] = None,
    activation_cycles: Annotated[
        int | None,
        typer.Option(
            help="Leading precycling/formation cycles to exclude (default: half cells "
            "detect 0-2.5 V sweeps, never all cycles; full cells none)."
        ),
    ] = None,
    current_density_ma_cm2: Annotated[
        float | None,
        typer.Option("--current-density-ma-cm2", help="Nominal current density (mA/cm2)."),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            help="Column mapping as JSON, e.g. "
            '\'{"current_mA": {"column": "I (A)", "scale": 1000}, "voltage_V": "E (V)"}\'.'
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write a summary plot (SVG) to this path.")
    ] = None,
) -> None:
    """Analyse one cycling file: CE per cycle and over a window, nucleation overpotential and
    failure (half cells), retention and cycle life (full and anode-free cells).

    Example: labledger cycling analyze C-004.csv --type half --area-cm2 1.13 --window 2-400 --json
    """
    from labledger.cycling.analyze import analyze_cycling
    from labledger.cycling.readers import read_cycling
    from labledger.cycling.table import parse_window

    try:
        data = read_cycling(file, _parse_columns(columns))
        result = analyze_cycling(
            data,
            cell_type=cell_type,
            area_cm2=area_cm2,
            window=parse_window(window) if window else None,
            reference_cycle=reference_cycle,
            activation_cycles=activation_cycles,
            current_density_mA_cm2=current_density_ma_cm2,
        )
        if plot is not None:
            from labledger.cycling.plots import plot_summary

            plot_summary(data, result, plot)
    except LabledgerError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    except OSError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    out = result.to_dict()
    if as_json:
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        typer.echo("\n".join(_summary_lines(out)))
        if plot is not None:
            typer.echo(f"plot: {plot}")


@app.command("demo")
def demo(
    raw_dir: Annotated[Path, typer.Argument(help="Folder to write the demo files into.")],
) -> None:
    """Write the synthetic demo cycling files (cells C-001..C-014) and list them.

    Example: labledger cycling demo records/raw/cycling
    """
    from labledger.demo.cycling import write_demo_cycling

    try:
        cells = write_demo_cycling(raw_dir)
    except OSError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    for cell in cells:
        typer.echo(f"{cell.record_id}\t{cell.file_name}\t{cell.cell_type}\t{cell.electrode}")
