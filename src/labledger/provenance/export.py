"""Export analysis-run provenance as W3C PROV (PROV-JSON, PROV-N) and as an RO-Crate.

Every function here works on plain "run" dicts, one per analysis run (the rows the database keeps
in `analysis_run`, with params decoded and the sample's lineage attached):

    record_id, kind, analysis, analysis_version, result_path, result_sha256, plot_path,
    record_path, record_sha256, raw_path, raw_sha256, params, labledger_version, git_commit,
    git_dirty, libraries, rule, host, user, started_at, finished_at, current, stale_reason,
    lineage: [{"id", "kind", "path", "sha256"}, ...]

and optionally `plot_sha256` (the plot's sha256, as the analysis recorded it; shown on the
pages and in the chain text). Paths are relative to the project root (the folder of
config.yaml); hashes are sha256 hex digests; times are ISO 8601 strings.

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

RO-Crate: see `write_ro_crate`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
import shutil
import warnings
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
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
from labledger.errors import InputFileError, LabledgerError
from labledger.hashing import sha256_file

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

#: Namespace of labledger's PROV terms. A URN: the project has no web address to resolve.
LABLEDGER_NS = "urn:labledger:"

#: Hex digits of a sha256 kept in entity ids: 64 bits, enough to tell versions of one file apart.
ID_HASH_DIGITS = 16

#: Process Run Crate profile followed by the RO-Crate export (https://w3id.org/ro/wfrun/process/0.5).
PROCESS_RUN_CRATE = "https://w3id.org/ro/wfrun/process/0.5"
#: RO-Crate version the profile extends (Process Run Crate 0.5 extends RO-Crate 1.1).
RO_CRATE_VERSION = "1.1"
#: JSON-LD context of the workflow-run terms; it defines `sha256` as
#: https://w3id.org/ro/terms/workflow-run#sha256 (github.com/ResearchObject/ro-terms,
#: workflow-run/context.json).
WORKFLOW_RUN_CONTEXT = "https://w3id.org/ro/terms/workflow-run/context"

_SCHEMA_COMPLETED = "http://schema.org/CompletedActionStatus"


# --------------------------------------------------------------------------------------------
# Run dicts: checking and the pieces every export needs
# --------------------------------------------------------------------------------------------


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
    """The run's input files as [{"role", "path", "sha256"}]: the record, then the raw file."""
    out = [{"role": "record", "path": run["record_path"], "sha256": run["record_sha256"]}]
    if run.get("raw_path"):
        out.append({"role": "raw", "path": run["raw_path"], "sha256": run.get("raw_sha256")})
    return out


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


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


# --------------------------------------------------------------------------------------------
# W3C PROV
# --------------------------------------------------------------------------------------------


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
        env = _short_hash(params_json([commit, run.get("git_dirty"), libraries]))
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
    return prov_document(runs).serialize(format="json", indent=1)


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


# --------------------------------------------------------------------------------------------
# RO-Crate
# --------------------------------------------------------------------------------------------


def _crate_path(root: Path, path: str, who: str) -> Path:
    """The file at project-relative `path`; InputFileError if it escapes root or is missing."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise InputFileError(path, f"{who}: expected a path relative to the project root")
    src = root / rel
    if not src.is_file():
        raise InputFileError(src, f"{who}: listed in the provenance but not found")
    return src


def _crate_id(text: str) -> str:
    return quote(text, safe="/._-~")


def write_ro_crate(
    runs: Iterable[dict[str, Any]],
    root: Path,
    out_dir: Path,
    name: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write an RO-Crate (Process Run Crate 0.5 on RO-Crate 1.1) of the runs to `out_dir`.

    1. Every record, raw, result and plot file of the runs and every lineage record file is
       copied from `root` (the project root) to the same relative path in the crate, as a File
       with `sha256` (workflow-run term), `contentSize` (bytes) and `encodingFormat`. The hash is
       of the copied bytes.
    2. Per distinct labledger build (version, git commit, dirty flag, library versions) one
       SoftwareApplication with `softwareVersion`, the commit in `identifier` and the libraries
       as SoftwareApplication entities under `softwareRequirements`.
    3. Per run one CreateAction: instrument = labledger, agent = Person (user@host), object =
       input files plus one PropertyValue per parameter, result = output files, startTime,
       endTime, actionStatus. The root dataset `mentions` every action.
    4. A run whose recorded sha256 of a file differs from the file now on disk (a stale run)
       points at a CreativeWork `#<path>@<sha16>` with the recorded hash instead of the File:
       that version is not in the crate. Its plot is then treated alike (no hash is recorded).
    5. The record version a run used `isBasedOn` the lineage record versions (Files or, for
       versions no longer on disk, CreativeWorks as in 4.).

    `out_dir` must be absent or empty; with `overwrite`, an earlier crate there (a folder holding
    ro-crate-metadata.json) is removed first. Raises `InputFileError` for a listed file missing
    under `root`, `LabledgerError` for a non-empty `out_dir` or a file that changed while being
    copied. Returns `out_dir`.
    """
    from rocrate.model.contextentity import ContextEntity
    from rocrate.model.person import Person
    from rocrate.model.softwareapplication import SoftwareApplication
    from rocrate.rocrate import ROCrate

    runs = check_runs(runs)
    root = Path(root)
    out_dir = Path(out_dir)
    _prepare_out_dir(out_dir, overwrite)
    crate = ROCrate(version=RO_CRATE_VERSION)
    if WORKFLOW_RUN_CONTEXT not in crate.metadata.extra_contexts:
        crate.metadata.extra_contexts.append(WORKFLOW_RUN_CONTEXT)

    record_ids = sorted({run["record_id"] for run in runs})
    crate.name = name or "labledger provenance of " + ", ".join(record_ids)
    crate.description = (
        f"{len(runs)} analysis run(s) of labledger records {', '.join(record_ids)}: the input "
        "records and raw files, the results and plots, and how each result was made."
    )
    if runs:
        latest = max(runs, key=lambda r: parse_time(r["finished_at"], "finished_at"))
        crate.root_dataset["datePublished"] = latest["finished_at"]
    profile = crate.add(
        ContextEntity(
            crate,
            PROCESS_RUN_CRATE,
            properties={"@type": "CreativeWork", "name": "Process Run Crate", "version": "0.5"},
        )
    )
    crate.root_dataset["conformsTo"] = profile

    # 1. files, each copied once; the sha256 is that of the bytes in the crate
    files: dict[str, Any] = {}
    disk_sha: dict[str, str] = {}

    def add_file(path: str, role: str, who: str) -> Any:
        if path in files:
            return files[path]
        src = _crate_path(root, path, who)
        sha = sha256_file(src)
        disk_sha[path] = sha
        fmt = _FORMATS.get(src.suffix.lower()) or mimetypes.guess_type(src.name)[0]
        props: dict[str, Any] = {
            "name": PurePosixPath(path).name,
            "description": role,
            "sha256": sha,
            "contentSize": str(src.stat().st_size),
        }
        if fmt:
            props["encodingFormat"] = fmt
        files[path] = crate.add_file(src, dest_path=path, properties=props)
        return files[path]

    for run in runs:
        who = f"run of {run['record_id']}"
        add_file(run["record_path"], f"{run['kind']} record {run['record_id']}", who)
        if run.get("raw_path"):
            add_file(run["raw_path"], f"raw instrument file of {run['record_id']}", who)
        add_file(run["result_path"], f"{run['analysis']} result of {run['record_id']}", who)
        if run.get("plot_path"):
            add_file(run["plot_path"], f"{run['analysis']} plot of {run['record_id']}", who)
        for parent in run.get("lineage") or []:
            add_file(parent["path"], f"{parent.get('kind')} record {parent['id']}", who)

    def version_of(
        path: str, sha: str | None, run: dict[str, Any], role: str, tag: str | None = None
    ) -> Any:
        """The File, or a CreativeWork standing for an earlier version not in the crate.

        `tag` names an earlier version whose hash is unknown (a stale run's plot).
        """
        if tag is None and (sha is None or sha == disk_sha[path]):
            return files[path]
        ident = f"#{_crate_id(path)}@{tag or (sha or '')[:ID_HASH_DIGITS]}"
        if ident not in crate:
            props = {
                "@type": "CreativeWork",
                "name": f"{path} (earlier version)",
                "alternateName": path,
                "description": (
                    f"The {role} as the run of {run['record_id']} used or made it; this version "
                    f"is not in the crate: {path} has changed since."
                ),
            }
            if sha:
                props["sha256"] = sha
            else:
                props["description"] += " No hash of this version was recorded."
            crate.add(ContextEntity(crate, ident, properties=props))
        return crate.get(ident)

    # 2.-4. software, people and one action per run
    actions = []
    for run in runs:
        software = _software_entity(crate, run, SoftwareApplication)
        person_id = f"#person-{_crate_id(run.get('user') or 'unknown')}@" + _crate_id(
            run.get("host") or "unknown"
        )
        if person_id not in crate:
            crate.add(
                Person(
                    crate,
                    person_id,
                    properties={
                        "name": run.get("user") or "unknown",
                        "description": f"{run.get('user')} on host {run.get('host')}",
                    },
                )
            )
        person = crate.get(person_id)
        key = run_key(run)
        inputs = [
            version_of(f["path"], f["sha256"], run, f["role"] + " file") for f in run_inputs(run)
        ]
        # 5. lineage: the record version the run used is based on its lineage record versions
        for parent in run.get("lineage") or []:
            if parent["path"] == run["record_path"]:
                continue
            role = f"{parent.get('kind')} record {parent['id']}"
            based_on = version_of(parent["path"], parent.get("sha256"), run, role)
            if based_on.id not in [e.id for e in _as_list(inputs[0].get("isBasedOn"))]:
                inputs[0].append_to("isBasedOn", based_on)
        result_is_current = run["result_sha256"] == disk_sha[run["result_path"]]
        outputs = [version_of(run["result_path"], run["result_sha256"], run, "result file")]
        if run.get("plot_path"):
            if result_is_current:
                outputs.append(files[run["plot_path"]])
            else:
                tag = f"run-{_short_hash(key)}"
                outputs.append(version_of(run["plot_path"], None, run, "plot", tag=tag))
        params = []
        for pname, value in sorted((run.get("params") or {}).items()):
            pid = f"#run-{_crate_id(key)}/param/{_crate_id(str(pname))}"
            pvalue = value if isinstance(value, str | int | float | bool) else params_json(value)
            params.append(
                crate.add(
                    ContextEntity(
                        crate,
                        pid,
                        properties={"@type": "PropertyValue", "name": pname, "value": pvalue},
                    )
                )
            )
        status = "current" if run["current"] else f"stale ({run.get('stale_reason') or '?'})"
        action = crate.add_action(
            software,
            identifier=f"#run-{_crate_id(key)}",
            object=inputs + params,
            result=outputs,
            properties={
                "name": f"{run['analysis']} analysis of {run['record_id']}",
                "description": (
                    f"rule {run['rule']}; analysis {run['analysis']} "
                    f"{run['analysis_version']}; {status}; params {params_json(run['params'])}"
                ),
                "startTime": run["started_at"],
                "endTime": run["finished_at"],
                "actionStatus": {"@id": _SCHEMA_COMPLETED},
            },
        )
        action["agent"] = person
        actions.append(action)
    if actions:
        crate.root_dataset["mentions"] = actions

    out_dir.mkdir(parents=True, exist_ok=True)
    crate.write(out_dir)
    changed = [path for path, sha in disk_sha.items() if sha256_file(out_dir / path) != sha]
    if changed:
        raise LabledgerError(
            f"{', '.join(changed)} changed while the RO-Crate in {out_dir} was written; "
            "run the export again"
        )
    return out_dir


def _prepare_out_dir(out_dir: Path, overwrite: bool) -> None:
    """Check `out_dir` is absent or empty; with `overwrite`, remove an earlier crate there."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise LabledgerError(f"{out_dir}: exists and is not a folder; cannot write an RO-Crate")
    if not any(out_dir.iterdir()):
        return
    if not overwrite:
        raise LabledgerError(
            f"{out_dir}: folder is not empty; pass overwrite=True to replace an earlier crate"
        )
    if not (out_dir / "ro-crate-metadata.json").is_file():
        raise LabledgerError(f"{out_dir}: folder is not empty and holds no RO-Crate to replace")
    shutil.rmtree(out_dir)


#: Media types the standard table lacks (labledger's record and instrument files).
_FORMATS = {
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".xrdml": "application/xml",
    ".mpr": "application/octet-stream",
    ".ndax": "application/octet-stream",
    ".nda": "application/octet-stream",
}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _software_entity(crate: Any, run: dict[str, Any], app_cls: type) -> Any:
    """The SoftwareApplication of the run's labledger build, added on first use."""
    libraries = dict(sorted((run.get("libraries") or {}).items()))
    commit = run.get("git_commit") or ""
    env = _short_hash(params_json([commit, run.get("git_dirty"), libraries]))
    ident = f"#labledger-{_crate_id(str(run['labledger_version']))}-{env}"
    if ident in crate:
        return crate.get(ident)
    props: dict[str, Any] = {
        "name": "labledger",
        "softwareVersion": str(run["labledger_version"]),
        "description": software_label(run),
    }
    if commit:
        props["identifier"] = f"git:{commit}"
    app = crate.add(app_cls(crate, ident, properties=props))
    for lib, lib_version in libraries.items():
        lib_id = f"#library-{_crate_id(lib)}-{_crate_id(str(lib_version))}"
        if lib_id not in crate:
            crate.add(
                app_cls(crate, lib_id, properties={"name": lib, "softwareVersion": lib_version})
            )
        app.append_to("softwareRequirements", crate.get(lib_id))
    return app
