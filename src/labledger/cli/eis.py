"""`labledger eis ...`: fit impedance spectra, Arrhenius plots, demo data."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Annotated

import typer

from labledger.errors import InputFileError, LabledgerError

app = typer.Typer(help="Impedance spectroscopy: fit spectra, conductivity, activation energy.")


def _fail(err: Exception) -> None:
    typer.echo(f"error: {err}", err=True)
    raise typer.Exit(1)


def _g(v: float | None, spec: str = ".3g") -> str:
    """Format a number, or "n/a" for a value that could not be determined (None)."""
    return "n/a" if v is None else format(v, spec)


def _fmt(v: float | None, unit: str, err: float | None = None) -> str:
    if v is None:
        return "not determined"
    s = f"{v:.4g}"
    if err is not None:
        s += f" ± {err:.2g}"
    return f"{s} {unit}"


@app.command()
def fit(
    file: Annotated[Path, typer.Argument(help="Spectrum: CSV/TXT, .mpt, .mpr, .DTA or .z.")],
    thickness_mm: Annotated[float | None, typer.Option(help="Pellet thickness L in mm.")] = None,
    diameter_mm: Annotated[float | None, typer.Option(help="Electrode diameter in mm.")] = None,
    area_cm2: Annotated[float | None, typer.Option(help="Electrode area A in cm2.")] = None,
    circuit: Annotated[
        str | None,
        typer.Option(help="Circuit in impedance.py syntax (default p(R1,CPE1)-p(R2,CPE2)-CPE3)."),
    ] = None,
    temperature_c: Annotated[
        float | None, typer.Option(help="Measurement temperature in C.")
    ] = None,
    weighting: Annotated[
        str,
        typer.Option(
            help="Residual weighting: modulus (residual/|Z|, default), unit (unweighted) or "
            "impedance.py (its CustomCircuit.fit default, the same as unit)."
        ),
    ] = "modulus",
    choose_circuit: Annotated[
        bool | None,
        typer.Option(
            "--choose-circuit/--exact-circuit",
            help="May a circuit with an arc above the measured window be replaced by one "
            "without it (by BIC)? Default: only when --circuit is not given.",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Write a Nyquist plot (SVG) here.")] = None,
) -> None:
    """Fit an equivalent circuit to one spectrum; with geometry also give conductivities.

    A circuit named with --circuit is fitted and reported as it is. Parameters the data do not
    determine (resistors in series, an element run to a bound, stderr above the value) are
    shown as not determined with the reason.

    Example: labledger eis fit EIS-003.csv --thickness-mm 1.0 --diameter-mm 10 --temperature-c 25
    """
    import numpy as np

    from labledger.eis.analysis import Geometry, analyze_spectrum
    from labledger.eis.circuit import Circuit, CircuitSyntaxError
    from labledger.eis.fit import normalise_weighting
    from labledger.eis.readers import read_spectrum

    geom = None
    try:
        if circuit is not None:
            Circuit(circuit)
        normalise_weighting(weighting)
        if thickness_mm is not None or diameter_mm is not None or area_cm2 is not None:
            if thickness_mm is None:
                raise ValueError("--thickness-mm is needed with --diameter-mm or --area-cm2")
            geom = Geometry.from_options(thickness_mm, diameter_mm, area_cm2)
    except (CircuitSyntaxError, ValueError) as exc:
        _fail(exc)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # numpy/scipy warnings never reach the terminal
            spectrum = read_spectrum(file)
            result = analyze_spectrum(
                spectrum,
                geom,
                circuit,
                temperature_c,
                weighting=weighting,
                choose_circuit=choose_circuit,
            )
            if plot is not None:
                from labledger.eis.plot import nyquist_plot

                nyquist_plot(result, plot)
    except LabledgerError as exc:
        _fail(exc)
    except ValueError as exc:  # a circuit with more parameters than the data can fit
        _fail(InputFileError(file, str(exc)))
    if json_out:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    d = result.to_dict()
    typer.echo(f"{file}: {d['source']['n_points']} points, {d['source']['format']}")
    typer.echo(
        f"circuit {d['circuit_used']}  {d['fit']['weighting']} weighting, "
        f"rms {_g(d['weighted_rms'], '.3%')}"
    )
    for p, v in d["fit"]["parameters"].items():
        why = f" ({v['reason']})" if not v.get("determined", True) else ""
        typer.echo(f"  {p:8s} {_fmt(v['value'], v['unit'], v['stderr'])}{why}")
    for p, v in d["fit"].get("sums", {}).items():
        typer.echo(f"  {p:8s} {_fmt(v['value'], v['unit'], v['stderr'])} (sum)")
    for a in d["arcs"]:
        c = f", C*L/A {_g(a['C_per_cm_F'], '.2g')} F/cm" if geom is not None else ""
        typer.echo(
            f"  arc {a['resistor']}: {a['role']}, f_c {_g(a['f_c_Hz'])} Hz, "
            f"C_eff {_g(a['C_eff_F'])} F{c}"
        )
    if geom is not None:
        why = "" if d["total_determined"] else f"  ({d['total_reason']})"
        typer.echo(
            f"sigma_total  {_fmt(d['sigma_total_S_cm'], 'S/cm', d['sigma_total_stderr_S_cm'])}{why}"
        )
        typer.echo(
            f"sigma_bulk   {_fmt(d['sigma_bulk_S_cm'], 'S/cm', d['sigma_bulk_stderr_S_cm'])}"
            f"  ({d['bulk_reason']})"
        )
        typer.echo(f"sigma_gb,app {_fmt(d['sigma_gb_apparent_S_cm'], 'S/cm')}")
    elif d["charge_transfer_R_ohm"] is not None:
        typer.echo(f"charge-transfer R {_fmt(d['charge_transfer_R_ohm'], 'ohm')}")
    kk = d["linkk"]
    typer.echo(
        f"Lin-KK: rms residual {kk['residual_rms']:.2%} "
        f"({'consistent' if kk['consistent'] else 'NOT consistent'})"
    )
    for n in d["notes"]:
        typer.echo(f"note: {n}")


@app.command()
def arrhenius(
    results: Annotated[
        list[Path], typer.Argument(help="JSON results of `labledger eis fit --json`.")
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print the fits as JSON.")] = False,
) -> None:
    """Activation energies (eV) of bulk and total conductivity from fit results.

    Reads results of `labledger eis fit --json` made at several temperatures and fits
    ln(sigma*T) against 1/T for the bulk (where determined) and the total conductivity.

    Example: labledger eis arrhenius EIS-009.json EIS-010.json EIS-003.json EIS-011.json
    """
    from labledger.eis.arrhenius import arrhenius_of_results

    loaded = []
    try:
        for p in results:
            try:
                data = json.loads(Path(p).read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise InputFileError(p, "file not found") from None
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise InputFileError(
                    p, f"not a JSON result of `labledger eis fit --json` ({exc})"
                ) from None
            if not isinstance(data, dict) or "sigma_total_S_cm" not in data:
                raise InputFileError(p, "not a result of `labledger eis fit --json`")
            if data.get("temperature_C") is None:
                raise InputFileError(p, "no temperature_C; fit it again with --temperature-c")
            loaded.append(data)
        out = arrhenius_of_results(loaded)
    except LabledgerError as exc:
        _fail(exc)
    if json_out:
        typer.echo(
            json.dumps(
                {k: (v.to_dict() if hasattr(v, "to_dict") else v) for k, v in out.items()}, indent=2
            )
        )
        return
    for key, r in (("bulk", out["bulk"]), ("total", out["total"])):
        if r is None:
            typer.echo(f"{key}: not determined")
            continue
        err = f" ± {r.Ea_stderr_eV:.3f}" if r.Ea_stderr_eV is not None else ""
        typer.echo(
            f"{key}: Ea = {r.Ea_eV:.3f}{err} eV from {r.n_points} temperatures "
            f"({min(r.temperatures_C):g}..{max(r.temperatures_C):g} C), form {r.form}"
        )
        for n in r.notes:
            typer.echo(f"note: {key}: {n}")
    for n in out["notes"]:
        typer.echo(f"note: {n}")


@app.command()
def demo(
    raw_dir: Annotated[Path, typer.Argument(help="Folder to write the demo spectra into.")],
) -> None:
    """Write the synthetic demo spectra EIS-001..EIS-015 and list them.

    Example: labledger eis demo records/raw/eis
    """
    from labledger.demo.eis import write_demo_spectra

    for s in write_demo_spectra(raw_dir):
        typer.echo(
            f"{s.record_id}  {s.file_name:12s} {s.sample_id:13s} {s.temperature_C:6.1f} C  "
            f"{s.circuit}"
        )
