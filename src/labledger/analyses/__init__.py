"""Run the analysis of one record: read its raw file, analyse, write result JSON and plot.

The result file is an envelope around the analysis' own `to_dict()`:

    {"format": "labledger-result/1", "record_id", "kind", "analysis", "analysis_version",
     "params", "inputs": [{"role", "path", "sha256"}], "outputs": [...], "provenance": {...},
     "result": {...}}

Paths are relative to the project root (the folder of config.yaml). Every workflow job runs
this through `labledger analyze ID`, and so can a person.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labledger.analyses.capture import code_state, now_utc, run_environment
from labledger.atomic import write_text_atomic
from labledger.config import Config
from labledger.errors import LabledgerError, Problem, RecordsInvalid
from labledger.hashing import sha256_file
from labledger.records.base import RecordBase
from labledger.records.lookup import find_record
from labledger.records.store import Loaded, load, read_file

RESULT_FORMAT = "labledger-result/1"


@dataclass(frozen=True)
class AnalysisOutput:
    """What an analysis adapter returns: its name, version, the parameters used and the result."""

    analysis: str
    version: str
    params: dict[str, Any]
    result: dict[str, Any]


Adapter = Callable[[RecordBase, Path, Config, Path | None], AnalysisOutput]
ParamsOf = Callable[[RecordBase, Config], dict[str, Any]]


@dataclass(frozen=True)
class Analysis:
    """An analysis for one record kind: results go to `<results_dir>/<folder>/<id>.json`.

    `params` gives the parameters `run` will use without running it, so a result can be
    reused while they, the input files and `version` are unchanged (`cached_result`).
    """

    kind: str
    folder: str
    version: str
    run: Adapter
    params: ParamsOf


def _registry() -> dict[str, Analysis]:
    from labledger.kinds import analysed_kinds

    return {name: kind.load_analysis() for name, kind in analysed_kinds().items()}


def analysis_for(kind: str) -> Analysis:
    """The analysis of a record kind, or a clear error when that kind has none."""
    registry = _registry()
    if kind not in registry:
        have = ", ".join(sorted(registry))
        raise LabledgerError(f"records of kind {kind!r} have no analysis (analysed kinds: {have})")
    return registry[kind]


def result_paths(config: Config, kind: str, record_id: str) -> tuple[Path, Path]:
    """Default (json, svg) output paths of a record's analysis."""
    folder = config.results_dir / analysis_for(kind).folder
    return folder / f"{record_id}.json", folder / f"{record_id}.svg"


def project_path(path: Path, root: Path) -> str:
    """`path` as a result file names it: relative to the project root, with forward slashes."""
    try:
        return os.path.relpath(path.resolve(), root).replace(os.sep, "/")
    except ValueError:
        return str(path)


def run_provenance(root: Path, rule: str, started: str, finished: str) -> dict[str, Any]:
    """A result file's `provenance`: code and git state, who and where, rule and times."""
    return {
        **code_state(root),
        **run_environment(),
        "rule": rule,
        "started_at": started,
        "finished_at": finished,
    }


def write_result(path: Path, envelope: dict[str, Any]) -> Path:
    """Write a result envelope (JSON, no NaN) atomically; returns `path`."""
    return write_text_atomic(path, json.dumps(envelope, indent=1, allow_nan=False) + "\n")


def load_record(config: Config, record_id: str, path: Path | None = None) -> Loaded:
    """Find (unless its `path` is given), parse and validate one record; invalid records raise
    RecordsInvalid."""
    file = read_file(path or find_record(config.records_dir, record_id))
    if isinstance(file, Problem):
        raise RecordsInvalid([file])
    loaded = load(file)
    if isinstance(loaded, list):
        raise RecordsInvalid(loaded)
    return loaded


@dataclass(frozen=True)
class Prepared:
    """A record ready for its analysis: the validated record, its raw file and output paths."""

    loaded: Loaded
    analysis: Analysis
    raw: Path
    out: Path
    plot: Path


def prepare(
    config: Config,
    record_id: str,
    out: Path | None = None,
    plot: Path | None = None,
    path: Path | None = None,
) -> Prepared:
    """Load and check one record for analysis; LabledgerError when it cannot be analysed.
    Give the record file's `path` when known: finding it by id walks the whole store."""
    loaded = load_record(config, record_id, path)
    record = loaded.record
    if record.id != record_id:
        raise LabledgerError(f"{loaded.file.display}: holds record {record.id}, not {record_id}")
    kind = record.kind
    analysis = analysis_for(kind)
    raw_rel = getattr(record, "raw_file", None)
    if not raw_rel:
        raise LabledgerError(f"{loaded.file.display}: no raw_file yet; nothing to analyse")
    raw = (loaded.file.path.parent / raw_rel).resolve()
    if not raw.is_file():
        raise LabledgerError(f"{loaded.file.display}: raw file not found: {raw}")
    default_json, default_svg = result_paths(config, kind, record_id)
    return Prepared(loaded, analysis, raw, out or default_json, plot or default_svg)


def analyze_record(
    config: Config,
    record_id: str,
    *,
    out: Path | None = None,
    plot: Path | None = None,
    rule: str = "cli",
    path: Path | None = None,
) -> Path:
    """Analyse one record (its file `path`, else found by id) and write its result envelope
    (and plot); return the JSON path."""
    return run_prepared(config, prepare(config, record_id, out, plot, path), rule)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, allow_nan=False, default=str)


def cached_result(config: Config, job: Prepared) -> bool:
    """True when `job.out` and `job.plot` hold the result this analysis would write now: the
    envelope names the same record and raw file with the same sha256, the same analysis version
    and the same parameters. Anything unreadable or missing counts as not cached."""
    if not (job.out.is_file() and job.plot.is_file()):
        return False
    try:
        env = json.loads(job.out.read_text(encoding="utf-8"))
        inputs = {i["role"]: (i["path"], i["sha256"]) for i in env["inputs"]}
        plots = [o["path"] for o in env["outputs"] if o["role"] == "plot"]
        same = (
            env["format"] == RESULT_FORMAT
            and env["record_id"] == job.loaded.record.id
            and str(env["analysis_version"]) == job.analysis.version
            and _canonical(env["params"])
            == _canonical(job.analysis.params(job.loaded.record, config))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False
    root = config.root
    return (
        same
        and plots == [project_path(job.plot, root)]
        and inputs.get("record")
        == (project_path(job.loaded.file.path, root), job.loaded.file.sha256)
        and inputs.get("raw") == (project_path(job.raw, root), sha256_file(job.raw))
    )


def run_prepared(config: Config, job: Prepared, rule: str) -> Path:
    """Run the analysis of a prepared record; write its result envelope and plot."""
    loaded, raw, out, plot = job.loaded, job.raw, job.out, job.plot
    record = loaded.record
    kind = record.kind
    record_id = record.id
    root = config.root
    started = now_utc()
    try:
        output = job.analysis.run(record, raw, config, plot)
    except LabledgerError as err:
        # a job log or a terminal shows this: name the record and its raw_file line, as check does
        line, col = loaded.doc.position(("raw_file",))
        raise LabledgerError(f"{loaded.file.display}:{line}:{col}: raw_file: {err}") from None
    finished = now_utc()
    envelope = {
        "format": RESULT_FORMAT,
        "record_id": record_id,
        "kind": kind,
        "analysis": output.analysis,
        "analysis_version": output.version,
        "params": output.params,
        "inputs": [
            {
                "role": "record",
                "path": project_path(loaded.file.path, root),
                "sha256": loaded.file.sha256,
            },
            {"role": "raw", "path": project_path(raw, root), "sha256": sha256_file(raw)},
        ],
        "outputs": [
            {
                "role": "plot",
                "path": project_path(plot, root),
                "media_type": "image/svg+xml",
                "sha256": sha256_file(plot),
            }
        ],
        "provenance": run_provenance(root, rule, started, finished),
        "result": output.result,
    }
    return write_result(out, envelope)
