"""Export analysis-run provenance as an RO-Crate (Process Run Crate profile) with the files.

The runs are the dicts of `labledger.provenance.runs`; see `write_ro_crate`.
"""

from __future__ import annotations

import mimetypes
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from labledger.errors import InputFileError, LabledgerError
from labledger.hashing import sha256_file
from labledger.provenance.runs import (
    ID_HASH_DIGITS,
    check_runs,
    further_inputs,
    params_json,
    parse_time,
    run_inputs,
    run_key,
    short_hash,
    software_label,
)

#: Process Run Crate profile followed by the RO-Crate export (https://w3id.org/ro/wfrun/process/0.5).
PROCESS_RUN_CRATE = "https://w3id.org/ro/wfrun/process/0.5"
#: RO-Crate version the profile extends (Process Run Crate 0.5 extends RO-Crate 1.1).
RO_CRATE_VERSION = "1.1"
#: JSON-LD context of the workflow-run terms; it defines `sha256` as
#: https://w3id.org/ro/terms/workflow-run#sha256 (github.com/ResearchObject/ro-terms,
#: workflow-run/context.json).
WORKFLOW_RUN_CONTEXT = "https://w3id.org/ro/terms/workflow-run/context"

_SCHEMA_COMPLETED = "http://schema.org/CompletedActionStatus"


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
        for other in further_inputs(run):
            add_file(other["path"], f"{other['role']} used by the {run['analysis']} run", who)
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
                tag = f"run-{short_hash(key)}"
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
    env = short_hash(params_json([commit, run.get("git_dirty"), libraries]))
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
