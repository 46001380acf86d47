"""Arrhenius fits across a sample's spectra: an analysis of the sample, with provenance.

`analyze_arrhenius(config)` reads the current EIS result files, groups the spectra by the
sample their records name, and writes `results/arrhenius/<sample>.json` for every sample with
a total conductivity at two or more temperatures: a result envelope like a record's analysis
(`labledger.analyses`), whose inputs are the sample's record and each EIS result file used
(with sha256), and whose result holds one fit per conductivity (the rows of `arrhenius_fit`).
A file is rewritten only when its inputs changed, and removed when the sample no longer has
the spectra for a fit. The workflow runs it before the ingest (`labledger publish`), which
only loads the files; `labledger analyze-arrhenius` runs it alone. The fit itself is
`labledger.eis.arrhenius`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labledger.analyses import RESULT_FORMAT, project_path, run_provenance, write_result
from labledger.analyses.capture import now_utc
from labledger.analyses.stat_cache import StatCache
from labledger.analysis_versions import ARRHENIUS
from labledger.config import Config
from labledger.eis.arrhenius import arrhenius
from labledger.hashing import sha256_file
from labledger.records.paths import discover
from labledger.workflow_support import top_level_value

#: results/<FOLDER>/<sample>.json
FOLDER = "arrhenius"
#: results/<FOLDER>/<CACHE>: what was read of each EIS result and record file (not a result)
CACHE = ".spectra-cache"
ANALYSIS = "arrhenius"

#: (quantity name in `arrhenius_fit`, attribute of a `ConductivityPoint`)
QUANTITIES = (("sigma_total", "sigma_total_s_cm"), ("sigma_bulk", "sigma_bulk_s_cm"))


@dataclass(frozen=True)
class ConductivityPoint:
    """One analysed spectrum of `sample`: its temperature and conductivities (S/cm)."""

    sample: str
    eis_id: str
    temperature_c: float
    sigma_total_s_cm: float | None
    sigma_bulk_s_cm: float | None


def sample_arrhenius_fits(points: Iterable[ConductivityPoint]) -> list[dict[str, Any]]:
    """A row of `arrhenius_fit` for every sample and conductivity measured at >= 2 temperatures.

    Points are grouped by sample in the order given (within a sample, the order of its points
    is the order of the fit's inputs and of the row's `eis_ids`).
    """
    by_sample: dict[str, list[ConductivityPoint]] = {}
    for point in points:
        by_sample.setdefault(point.sample, []).append(point)
    out = []
    for sample, sample_points in by_sample.items():
        for quantity, attribute in QUANTITIES:
            usable = [p for p in sample_points if getattr(p, attribute) is not None]
            if len({p.temperature_c for p in usable}) < 2:
                continue
            fit = arrhenius(
                [p.temperature_c for p in usable], [getattr(p, attribute) for p in usable]
            )
            out.append(
                {
                    "sample": sample,
                    "quantity": quantity,
                    "form": fit.form,
                    "n_points": fit.n_points,
                    "t_min_c": min(fit.temperatures_C),
                    "t_max_c": max(fit.temperatures_C),
                    "ea_ev": fit.Ea_eV,
                    "ea_stderr_ev": fit.Ea_stderr_eV,
                    "r_squared": fit.r_squared,
                    "eis_ids": ",".join(p.eis_id for p in usable),
                }
            )
    return out


@dataclass
class ArrheniusRun:
    """What `analyze_arrhenius` did: the result files it wrote, kept and removed (sample ids)."""

    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: how many samples were fitted, kept and removed."""
        line = f"Arrhenius fits: {len(self.written)} sample(s) fitted, {len(self.kept)} unchanged"
        if self.removed:
            gone = ", ".join(self.removed)
            line += f", {len(self.removed)} removed (no fit possible now: {gone})"
        return line


@dataclass(frozen=True)
class _Spectrum:
    point: ConductivityPoint
    result_path: str  # relative to the project root
    result_sha256: str


def _read_result(path: Path) -> dict[str, Any] | None:
    """What the fits use of an EIS result file, or None when it is not a readable one (the
    ingest names those)."""
    try:
        env = json.loads(path.read_text(encoding="utf-8"))
        record = next(i for i in env["inputs"] if i["role"] == "record")
        result = env["result"]
        return {
            "record_id": env["record_id"],
            "record_path": record["path"],
            "record_sha256": record["sha256"],
            "sha256": sha256_file(path),
            "temperature_C": result.get("temperature_C"),
            "sigma_total_S_cm": result.get("sigma_total_S_cm"),
            "sigma_bulk_S_cm": result.get("sigma_bulk_S_cm"),
        }
    except (OSError, ValueError, KeyError, TypeError, StopIteration, AttributeError):
        return None


def _read_record(path: Path) -> dict[str, Any]:
    """The sha256 of an EIS record file and the sample it names."""
    return {"sha256": sha256_file(path), "sample": top_level_value(path, "sample")}


def _current_spectra(config: Config) -> list[_Spectrum]:
    """The EIS results whose record file is still the one they were computed from, with a
    total conductivity and a temperature (as `arrhenius_fit` has always used them). What is
    read of each file is cached by its stat (`CACHE` in the results folder)."""
    root = config.root
    cache = StatCache(config.results_dir / FOLDER / CACHE)
    out = []
    for path in sorted((config.results_dir / "eis").glob("*.json")):
        rel = project_path(path, root)
        info = cache.get(f"result {rel}", path, _read_result)
        if not isinstance(info, dict) or info["record_id"] != path.stem:
            continue  # unreadable, or another record's file
        record = cache.get(
            f"record {info['record_path']}", root / info["record_path"], _read_record
        )
        if record is None or record["sha256"] != info["record_sha256"]:
            continue  # the record was edited (or removed) since: a stale result
        sample, temperature = record["sample"], info["temperature_C"]
        total, bulk = info["sigma_total_S_cm"], info["sigma_bulk_S_cm"]
        if sample is None or temperature is None or total is None:
            continue
        point = ConductivityPoint(sample, path.stem, float(temperature), total, bulk)
        out.append(_Spectrum(point, rel, info["sha256"]))
    cache.save()
    out.sort(key=lambda s: (s.point.sample, s.point.temperature_c, s.point.eis_id))
    return out


def _previous(path: Path) -> dict[str, Any] | None:
    """The result file a sample's fit wrote last time, or None when there is no readable one."""
    try:
        env = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return env if isinstance(env, dict) else None


def _record_file(
    config: Config, sample: str, previous: dict[str, Any] | None, store: dict[str, Path]
) -> Path | None:
    """The record file of `sample`: the one its previous result names while that file is still
    there, else found in the store (walked once per run, into `store`, when first needed)."""
    named = next(
        (i.get("path") for i in (previous or {}).get("inputs", []) if i.get("role") == "record"),
        None,
    )
    if isinstance(named, str):
        path = config.root / named
        if path.stem == sample and path.is_file():
            return path
    if not store:
        store.update({p.stem: p for p in discover(config.records_dir)})
    return store.get(sample)


def analyze_arrhenius(config: Config, rule: str = "cli") -> ArrheniusRun:
    """Fit the activation energies of every sample with spectra at two or more temperatures
    and write, keep or remove the result files `results/arrhenius/<sample>.json`."""
    root = config.root
    folder = config.results_dir / FOLDER
    by_sample: dict[str, list[_Spectrum]] = {}
    for spectrum in _current_spectra(config):
        by_sample.setdefault(spectrum.point.sample, []).append(spectrum)
    fitted = {
        sample: sample_arrhenius_fits(s.point for s in spectra)
        for sample, spectra in by_sample.items()
    }
    fitted = {sample: fits for sample, fits in fitted.items() if fits}
    store: dict[str, Path] = {}
    run = ArrheniusRun()
    wanted: set[str] = set()
    for sample, fits in fitted.items():
        spectra = by_sample[sample]
        out = folder / f"{sample}.json"
        previous = _previous(out)
        record = _record_file(config, sample, previous, store)
        if record is None:
            continue
        wanted.add(sample)
        inputs = [
            {"role": "record", "path": project_path(record, root), "sha256": sha256_file(record)},
            *(
                {"role": "eis_result", "path": s.result_path, "sha256": s.result_sha256}
                for s in spectra
            ),
        ]
        if (
            previous is not None
            and previous.get("analysis_version") == ARRHENIUS
            and previous.get("inputs") == inputs
        ):
            run.kept.append(sample)
            continue
        started = now_utc()
        envelope = {
            "format": RESULT_FORMAT,
            "record_id": sample,
            "kind": top_level_value(record, "kind"),
            "analysis": ANALYSIS,
            "analysis_version": ARRHENIUS,
            "params": {"form": "ln(sigma T) vs 1/T", "min_temperatures": 2},
            "inputs": inputs,
            "outputs": [],
            "provenance": run_provenance(root, rule, started, now_utc()),
            "result": {
                "spectra": [
                    {
                        "eis_id": s.point.eis_id,
                        "temperature_C": s.point.temperature_c,
                        "sigma_total_S_cm": s.point.sigma_total_s_cm,
                        "sigma_bulk_S_cm": s.point.sigma_bulk_s_cm,
                    }
                    for s in spectra
                ],
                "fits": fits,
            },
        }
        write_result(out, envelope)
        run.written.append(sample)
    for old in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if old.stem not in wanted:
            old.unlink()
            run.removed.append(old.stem)
    return run
