"""XRD records -> phase identification and weight fractions (labledger.xrd)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labledger.analyses import Analysis, AnalysisOutput, project_path
from labledger.analysis_versions import XRD
from labledger.config import Config
from labledger.errors import LabledgerError
from labledger.hashing import sha256_file
from labledger.kinds.xrd import KIND
from labledger.records.base import RecordBase
from labledger.records.xrd import Xrd


def xrd_phases(config: Config, only: list[str] | None = None) -> dict[str, Path]:
    """Candidate phases, name -> CIF: the shipped ones, plus or replaced by config.yaml's,
    limited to the config's `candidates` and then to `only`."""
    from labledger.xrd.phases import default_phases

    settings = config.fields.xrd
    phases = default_phases()
    for name, cif in settings.phases.items():
        path = (config.root / cif).resolve()
        if not path.is_file():
            raise LabledgerError(f"{config.source or 'config'}: xrd.phases.{name}: {cif} not found")
        phases[name] = path
    for limit, where in ((settings.candidates, "xrd.candidates"), (only, "candidate_phases")):
        if limit:
            unknown = [n for n in limit if n not in phases]
            if unknown:
                known = ", ".join(sorted(phases))
                raise LabledgerError(f"{where}: unknown phase(s) {unknown}; known: {known}")
            phases = {n: phases[n] for n in limit}
    return phases


def references_file(config: Config) -> Path:
    """Where the workflow caches the reference patterns of the configured phases."""
    return config.results_dir / "references" / "xrd_patterns.json"


def xrd_params(record: RecordBase, config: Config) -> dict[str, Any]:
    """The parameters a scan's analysis uses: the candidate phases, the reference patterns
    (the workflow's cache file, by path relative to the project and sha256) and the format."""
    assert isinstance(record, Xrd)
    phases = xrd_phases(config, record.candidate_phases)
    cache = references_file(config)
    have_cache = cache.is_file()
    return {
        "candidates": sorted(phases),
        "references": project_path(cache, config.root) if have_cache else "per-user cache",
        "references_sha256": sha256_file(cache) if have_cache else None,
        "raw_format": record.raw_format,
        "radiation": record.radiation,
    }


def record_wavelength(radiation: str) -> str | None:
    """The record's `radiation` ("Cu Ka", "Co Ka1", "0.4146 A") as an anode symbol or angstrom,
    for a file that states no wavelength; None when it names neither."""
    import re

    from labledger.xrd.scan import ANODE_LINES_A

    text = radiation.strip()
    m = re.match(r"([A-Z][a-z]?)(?![a-z])", text) or re.match(r"([A-Za-z]{1,2})(?![A-Za-z])", text)
    if m and m.group(1).capitalize() in ANODE_LINES_A:
        return m.group(1).capitalize()
    m = re.match(r"\s*([0-9]*\.?[0-9]+)", text)
    return m.group(1) if m else None


def analyze_xrd(record: RecordBase, raw: Path, config: Config, plot: Path | None) -> AnalysisOutput:
    """Identify the phases of one scan and refine their weight fractions (Hill-Howard); the
    record's radiation applies where the file states no wavelength."""
    from labledger.xrd.analysis import analyze_file
    from labledger.xrd.plot import plot_result

    assert isinstance(record, Xrd)
    phases = xrd_phases(config, record.candidate_phases)
    cache = references_file(config)
    fmt = None if record.raw_format == "auto" else record.raw_format
    params = xrd_params(record, config)
    wavelength = record_wavelength(record.radiation)
    result = analyze_file(
        raw, phases, cache if cache.is_file() else None, fmt, wavelength=wavelength
    )
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        plot_result(result, plot)
    return AnalysisOutput("xrd", XRD, params, result.to_dict())


ANALYSIS = Analysis(
    kind=KIND.name, folder=KIND.folder, version=KIND.version, run=analyze_xrd, params=xrd_params
)
