"""Provenance for people: an HTML page per record and the plain-text chain a terminal prints.

Both take the run dicts described in `labledger.provenance.runs`. Hashes are sha256 hex digests,
shown shortened to `SHORT_HASH` digits (the page keeps the full hash in a title attribute and
prints it in full on paper); times are the ISO 8601 strings of the runs; durations are seconds.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jinja2 import Environment

from labledger.errors import LabledgerError
from labledger.provenance.runs import (
    check_runs,
    parse_time,
    run_inputs,
    run_key,
    run_outputs,
    software_label,
)
from labledger.templating import template_environment

#: Hex digits of a sha256 shown on screen: 48 bits, enough to tell files apart by eye.
SHORT_HASH = 12

_TEMPLATE = "provenance_page.html.j2"

#: Keys of the `record` dict the page shows.
RECORD_KEYS = ("id", "kind", "path", "sha256", "status")


def short_hash(sha256: str | None, digits: int = SHORT_HASH) -> str:
    """The first `digits` hex digits of a hash, or "-" when there is none."""
    return sha256[:digits] if sha256 else "-"


def _ordered(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By record id; per record current runs first, then the others, newest first in each."""
    by_start = sorted(runs, key=lambda r: parse_time(r["started_at"], "started_at"), reverse=True)
    return sorted(by_start, key=lambda r: (str(r["record_id"]), not r["current"]))


def _value_text(value: Any) -> str:
    """A parameter value as text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _status(run: dict[str, Any]) -> str:
    if run["current"]:
        return "current"
    return f"stale: {run.get('stale_reason') or 'reason not recorded'}"


def _run_view(run: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of one run, as plain strings."""
    start = parse_time(run["started_at"], "started_at")
    end = parse_time(run["finished_at"], "finished_at")
    inputs = run_inputs(run)
    # a batch's page lists the runs of its measurements: their record input is the
    # measurement's file, which only that record's own sha256 can be compared with
    own = run.get("record_id") == record.get("id")
    for item in inputs:
        item["note"] = ""
        if (
            own
            and item["role"] == "record"
            and record.get("sha256")
            and item["sha256"] != record["sha256"]
        ):
            item["note"] = "differs from the record file now"
    dirty = run.get("git_dirty")
    return {
        "key": run_key(run),
        "anchor": "run-" + run_key(run).replace("/", "-"),
        "current": bool(run["current"]),
        "status": _status(run),
        "analysis": run["analysis"],
        "analysis_version": str(run["analysis_version"]),
        "rule": run["rule"],
        "inputs": inputs,
        "outputs": run_outputs(run),
        "params": [(str(k), _value_text(v)) for k, v in sorted((run["params"] or {}).items())],
        "labledger_version": str(run["labledger_version"]),
        "git_commit": run.get("git_commit") or "",
        "git_dirty": "unknown" if dirty is None else ("yes" if dirty else "no"),
        "libraries": sorted((run.get("libraries") or {}).items(), key=lambda kv: kv[0].lower()),
        "host": run.get("host") or "",
        "user": run.get("user") or "",
        "started_at": run["started_at"],
        "finished_at": run["finished_at"],
        "duration_s": f"{(end - start).total_seconds():.3f}",
        "lineage": list(run.get("lineage") or []),
    }


@functools.cache
def _environment() -> Environment:
    """One Jinja2 environment per process: compiling the template costs ~70 ms per page."""
    env = template_environment("labledger.provenance")
    env.filters["short"] = short_hash
    return env


def render_provenance_page(record: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    """A self-contained HTML page of one record's provenance (inline CSS, no network fetches).

    `record` has keys id, kind, path, sha256, status; `runs` are that record's runs. Current
    runs come first, then stale ones, newest first. All text is HTML-escaped.
    """
    missing = [key for key in RECORD_KEYS if key not in record]
    if missing:
        raise LabledgerError(f"provenance page of {record.get('id')}: record lacks {missing}")
    runs = check_runs(runs)
    views = [_run_view(run, record) for run in _ordered(runs)]
    return _environment().get_template(_TEMPLATE).render(record=record, runs=views)


def provenance_chain_text(runs: list[dict[str, Any]], full_hashes: bool = False) -> str:
    """The chain `labledger provenance ID` prints, one block per run (current runs first).

    result file (sha256) <- analysis (version, rule, code, start) <- record file (sha256) + raw
    file (sha256) <- lineage records (sha256), nearest first. Hashes are shortened to
    `SHORT_HASH` digits unless `full_hashes`.
    """

    def h(sha: str | None) -> str:
        return (sha or "-") if full_hashes else short_hash(sha)

    blocks = []
    for run in _ordered(check_runs(runs)):
        outputs = " + ".join(
            f"{o['path']} (sha256 {h(o['sha256'])})" if o["sha256"] else o["path"]
            for o in run_outputs(run)
        )
        inputs = " + ".join(f"{i['path']} (sha256 {h(i['sha256'])})" for i in run_inputs(run))
        lines = [
            f"{run['record_id']} {run['analysis']} [{_status(run)}]",
            f"  {outputs}",
            f"  <- {run['analysis']} analysis {run['analysis_version']} (rule {run['rule']}, "
            f"{software_label(run)}, started {run['started_at']}, "
            f"by {run.get('user')}@{run.get('host')})",
            f"  <- {inputs}",
        ]
        for parent in run.get("lineage") or []:
            kind = f" {parent['kind']}" if parent.get("kind") else ""
            lines.append(
                f"  <- {parent['id']}{kind} {parent['path']} (sha256 {h(parent.get('sha256'))})"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
