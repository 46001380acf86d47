"""Run dicts: what the provenance exports are made from, checked, and the pieces all need.

Every provenance export (`w3c_prov`, `ro_crate`, `page`) works on plain "run" dicts, one per
analysis run (the rows the database keeps in `analysis_run`, with params decoded and the
sample's lineage attached):

    record_id, kind, analysis, analysis_version, result_path, result_sha256, plot_path,
    record_path, record_sha256, raw_path, raw_sha256, params, labledger_version, git_commit,
    git_dirty, libraries, rule, host, user, started_at, finished_at, current, stale_reason,
    lineage: [{"id", "kind", "path", "sha256"}, ...]

and optionally `plot_sha256` (the plot's sha256, as the analysis recorded it; shown on the
pages and in the chain text) and `inputs` (every input as the result file lists it; those
besides the record and raw file, an Arrhenius fit's EIS results, are `further_inputs`). Paths
are relative to the project root (the folder of config.yaml); hashes are sha256 hex digests;
times are ISO 8601 strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from labledger.errors import LabledgerError

#: Keys every run dict must carry (see the module docstring).
RUN_KEYS = (
    "record_id",
    "kind",
    "analysis",
    "analysis_version",
    "result_path",
    "result_sha256",
    "plot_path",
    "record_path",
    "record_sha256",
    "raw_path",
    "raw_sha256",
    "params",
    "labledger_version",
    "git_commit",
    "git_dirty",
    "libraries",
    "rule",
    "host",
    "user",
    "started_at",
    "finished_at",
    "current",
    "stale_reason",
    "lineage",
)

#: Hex digits of a sha256 kept in entity ids: 64 bits, enough to tell versions of one file apart.
ID_HASH_DIGITS = 16


def check_runs(runs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs as a list, after checking each carries every key of `RUN_KEYS`.

    Raises `LabledgerError` naming the run and the missing keys.
    """
    out = list(runs)
    for i, run in enumerate(out):
        if not isinstance(run, dict):
            raise LabledgerError(f"provenance run #{i} is a {type(run).__name__}, not a dict")
        missing = [key for key in RUN_KEYS if key not in run]
        if missing:
            who = run.get("record_id", f"#{i}")
            raise LabledgerError(f"provenance run of {who} lacks {', '.join(missing)}")
        for key in ("started_at", "finished_at"):
            parse_time(run[key], f"{key} of the run of {run['record_id']}")
    return out


def parse_time(text: str, what: str) -> dt.datetime:
    """An ISO 8601 string as a datetime; `LabledgerError` naming `what` if it is not one."""
    try:
        return dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise LabledgerError(f"{what} is {text!r}, not an ISO 8601 time") from None


def run_key(run: dict[str, Any]) -> str:
    """A stable short id of a run: `<record_id>/<analysis>/<12 hex digits>`.

    The digits hash the record id, analysis, start time and result sha256, which together tell
    apart every run of one record.
    """
    ident = "\n".join(str(run[k]) for k in ("record_id", "analysis", "started_at", "result_sha256"))
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:12]
    return f"{run['record_id']}/{run['analysis']}/{digest}"


def run_inputs(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's input files as [{"role", "path", "sha256"}]: the record, then the raw file,
    then the others its optional `inputs` lists (an Arrhenius fit's spectra's result files)."""
    out = [{"role": "record", "path": run["record_path"], "sha256": run["record_sha256"]}]
    if run.get("raw_path"):
        out.append({"role": "raw", "path": run["raw_path"], "sha256": run.get("raw_sha256")})
    return out + further_inputs(run)


def further_inputs(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The inputs of a run besides its record and raw file (from its optional `inputs`)."""
    return [
        {"role": i["role"], "path": i["path"], "sha256": i.get("sha256")}
        for i in run.get("inputs") or []
        if i.get("role") not in ("record", "raw") and i.get("path")
    ]


def run_outputs(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's output files as [{"role", "path", "sha256"}]; a plot's sha256 is the run's
    optional `plot_sha256` (None when unknown)."""
    out = [{"role": "result", "path": run["result_path"], "sha256": run["result_sha256"]}]
    if run.get("plot_path"):
        out.append({"role": "plot", "path": run["plot_path"], "sha256": run.get("plot_sha256")})
    return out


def params_json(params: Any) -> str:
    """Parameters as canonical JSON (sorted keys, no NaN), the form stored in PROV and RO-Crate."""
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


def software_label(run: dict[str, Any]) -> str:
    """`labledger <version> (git <commit12>[, dirty])`, or without git when no commit is known."""
    commit = run.get("git_commit")
    if not commit:
        return f"labledger {run['labledger_version']} (no git commit)"
    dirty = ", dirty" if run.get("git_dirty") else ""
    return f"labledger {run['labledger_version']} (git {commit[:12]}{dirty})"


def short_hash(text: str) -> str:
    """The first 8 hex digits of the sha256 of `text` (ids of entities without a hash)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
