"""Export analysis-run provenance as W3C PROV (PROV-JSON, PROV-N).

The runs are the dicts of `labledger.provenance.runs`.

PROV model (https://www.w3.org/TR/prov-dm/), one activity per run:
1. Entities: the record file, raw file, result file and plot, and each lineage record file, with
   `labledger:path` and `labledger:sha256`. A file entity's id is its path plus the first 16 hex
   digits of its sha256, so two versions of one file are two entities. A plot has no hash in the
   run; its id carries the run's id instead.
2. The run is an activity (`prov:startTime`, `prov:endTime`, rule, analysis, analysis_version,
   params as canonical JSON, current flag and stale reason). It `used` the record and raw file,
   and the result and plot `wasGeneratedBy` it and `wasDerivedFrom` the record and raw file.
3. The record file `wasDerivedFrom` each record of the sample's lineage (a set, not assumed to
   be a chain).
4. Agents: the person (`user@host`, `prov:Person`) and the software (labledger version, git
   commit, dirty flag and one `labledger:library_<name>` attribute per library version;
   `prov:SoftwareAgent`). The run `wasAssociatedWith` the person, and with the software under a
   plan (`prov:Plan`: analysis, analysis_version, rule); the software `actedOnBehalfOf` the person
   for that run.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from prov.model import (
    PROV,
    PROV_LABEL,
    PROV_TYPE,
    ProvDocument,
    ProvException,
    ProvWarning,
)

from labledger.atomic import write_text_atomic
from labledger.provenance.runs import (
    ID_HASH_DIGITS,
    check_runs,
    further_inputs,
    params_json,
    parse_time,
    run_key,
    short_hash,
    software_label,
)

#: Namespace of labledger's PROV terms. A URN: the project has no web address to resolve.
LABLEDGER_NS = "urn:labledger:"


def _local(text: str) -> str:
    """Text percent-encoded into a PROV-N-safe local name ('/', '.', '-', '_', '~' kept)."""
    return quote(text, safe="/._-~")


def _file_id(path: str, tag: str) -> str:
    return f"labledger:{_local(path)}@{_local(tag)}"


class _ProvBuilder:
    """Adds runs to a ProvDocument, creating each entity and agent once."""

    def __init__(self, namespace: str) -> None:
        self.doc = ProvDocument()
        self.ns = self.doc.add_namespace("labledger", namespace)
        self.seen: set[str] = set()

    def _once(self, ident: str) -> bool:
        """True the first time `ident` is seen."""
        if ident in self.seen:
            return False
        self.seen.add(ident)
        return True

    def file(self, path: str, sha256: str | None, role: str, tag: str, **extra: Any) -> str:
        """The id of a file entity, created on first use; `tag` stands in for a missing hash."""
        ident = _file_id(path, sha256[:ID_HASH_DIGITS] if sha256 else tag)
        if self._once(ident):
            attrs: dict[Any, Any] = {
                PROV_TYPE: self.ns[role],
                PROV_LABEL: path,
                "labledger:path": path,
            }
            if sha256:
                attrs["labledger:sha256"] = sha256
            attrs.update({f"labledger:{k}": v for k, v in extra.items() if v is not None})
            self.doc.entity(ident, attrs)
        return ident

    def person(self, run: dict[str, Any]) -> str:
        user = run.get("user") or "unknown"
        host = run.get("host") or "unknown"
        ident = f"labledger:person/{_local(user)}@{_local(host)}"
        if self._once(ident):
            self.doc.agent(
                ident,
                {
                    PROV_TYPE: PROV["Person"],
                    PROV_LABEL: f"{user}@{host}",
                    "labledger:user": user,
                    "labledger:host": host,
                },
            )
        return ident

    def software(self, run: dict[str, Any]) -> str:
        libraries = dict(sorted((run.get("libraries") or {}).items()))
        commit = run.get("git_commit") or ""
        env = short_hash(params_json([commit, run.get("git_dirty"), libraries]))
        version = _local(str(run["labledger_version"]))
        ident = f"labledger:software/labledger-{version}/{commit[:12] or 'nogit'}/{env}"
        if self._once(ident):
            attrs: dict[Any, Any] = {
                PROV_TYPE: PROV["SoftwareAgent"],
                PROV_LABEL: software_label(run),
                "labledger:version": str(run["labledger_version"]),
            }
            if commit:
                attrs["labledger:git_commit"] = commit
            if run.get("git_dirty") is not None:
                attrs["labledger:git_dirty"] = bool(run["git_dirty"])
            for name, lib_version in libraries.items():
                attrs[f"labledger:library_{_attr_name(name)}"] = str(lib_version)
            self.doc.agent(ident, attrs)
        return ident

    def plan(self, run: dict[str, Any]) -> str:
        parts = [run["analysis"], run["analysis_version"], run["rule"]]
        ident = "labledger:plan/" + "/".join(_local(str(p)) for p in parts)
        if self._once(ident):
            self.doc.entity(
                ident,
                {
                    PROV_TYPE: PROV["Plan"],
                    PROV_LABEL: f"{run['analysis']} analysis {run['analysis_version']}",
                    "labledger:analysis": run["analysis"],
                    "labledger:analysis_version": str(run["analysis_version"]),
                    "labledger:rule": run["rule"],
                },
            )
        return ident

    def add_run(self, run: dict[str, Any]) -> None:
        key = run_key(run)
        act = f"labledger:run/{_local(key)}"
        if not self._once(act):
            return  # the same run listed twice
        start = parse_time(run["started_at"], "started_at")
        end = parse_time(run["finished_at"], "finished_at")
        attrs: dict[Any, Any] = {
            PROV_TYPE: self.ns["AnalysisRun"],
            PROV_LABEL: f"{run['analysis']} analysis of {run['record_id']}",
            "labledger:record_id": run["record_id"],
            "labledger:analysis": run["analysis"],
            "labledger:analysis_version": str(run["analysis_version"]),
            "labledger:rule": run["rule"],
            "labledger:params": params_json(run["params"]),
            "labledger:current": bool(run["current"]),
        }
        if run.get("stale_reason"):
            attrs["labledger:stale_reason"] = run["stale_reason"]
        self.doc.activity(act, start, end, attrs)

        record = self.file(
            run["record_path"],
            run["record_sha256"],
            "RecordFile",
            key,
            record_id=run["record_id"],
            kind=run["kind"],
        )
        inputs = [record]
        if run.get("raw_path"):
            inputs.append(self.file(run["raw_path"], run.get("raw_sha256"), "RawFile", key))
        for other in further_inputs(run):  # result files of other runs: the chain goes on
            inputs.append(self.file(other["path"], other["sha256"], "ResultFile", key))
        outputs = [self.file(run["result_path"], run["result_sha256"], "ResultFile", key)]
        if run.get("plot_path"):
            outputs.append(self.file(run["plot_path"], None, "Plot", key))

        for ident in inputs:
            self.doc.used(act, ident)
        for out in outputs:
            self.doc.wasGeneratedBy(out, act)
            for ident in inputs:
                self.doc.wasDerivedFrom(out, ident, act)
        for parent in run.get("lineage") or []:
            ident = self.file(
                parent["path"],
                parent.get("sha256"),
                "RecordFile",
                f"record-{parent['id']}",
                record_id=parent["id"],
                kind=parent.get("kind"),
            )
            if ident != record and self._once(f"{record} <- {ident}"):
                self.doc.wasDerivedFrom(record, ident)

        person = self.person(run)
        software = self.software(run)
        self.doc.wasAssociatedWith(act, person)
        self.doc.wasAssociatedWith(act, software, self.plan(run))
        self.doc.actedOnBehalfOf(software, person, act)


def _attr_name(name: str) -> str:
    """A library name as an attribute local name: letters, digits and '_' only."""
    return "".join(c if c.isalnum() else "_" for c in name)


def prov_document(runs: Iterable[dict[str, Any]], namespace: str = LABLEDGER_NS) -> ProvDocument:
    """A W3C PROV document of the runs (see the module docstring for the model)."""
    builder = _ProvBuilder(namespace)
    for run in check_runs(runs):
        builder.add_run(run)
    return builder.doc


def prov_json(runs: Iterable[dict[str, Any]]) -> str:
    """The runs' provenance as PROV-JSON text (https://www.w3.org/submissions/prov-json/)."""
    text = prov_document(runs).serialize(format="json", indent=1)
    assert text is not None  # without a destination, serialize returns the text
    return text


def prov_n(runs: Iterable[dict[str, Any]]) -> str:
    """The runs' provenance as PROV-N text (https://www.w3.org/TR/prov-n/), for people."""
    return prov_document(runs).get_provn()


def write_prov_json(runs: Iterable[dict[str, Any]], path: Path) -> Path:
    """Write the runs' provenance as PROV-JSON to `path` (atomically); returns the path."""
    path = Path(path)
    text = prov_json(runs)
    return write_text_atomic(path, text + "\n")


def check_prov_document(doc: ProvDocument) -> list[str]:
    """Problems `prov` itself finds in a document; an empty list means valid.

    Checks: 1. PROV-JSON serialises and reads back equal; 2. PROV-N serialises and reads back
    equal; 3. `unified()` succeeds (PROV-CONSTRAINTS type and key constraints as `prov`
    implements them); 4. none of these raises a `ProvWarning` (bad qualified names, values).
    """
    problems: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fmt in ("json", "provn"):
            try:
                text = doc.serialize(format=fmt)
                back = ProvDocument.deserialize(content=text, format=fmt)
            except (ProvException, ValueError, TypeError) as exc:
                problems.append(f"{fmt}: does not round-trip: {exc}")
                continue
            if back != doc:
                problems.append(f"{fmt}: the document read back differs from the original")
        try:
            doc.unified()
        except ProvException as exc:
            problems.append(f"unification failed: {exc}")
    problems += [f"warning: {w.message}" for w in caught if issubclass(w.category, ProvWarning)]
    return problems
