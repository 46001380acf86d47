"""RO-Crate export: the crate reads back, holds every file with its hash, and links the runs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from rocrate.rocrate import ROCrate

from labledger.errors import InputFileError, LabledgerError
from labledger.provenance.ro_crate import (
    PROCESS_RUN_CRATE,
    WORKFLOW_RUN_CONTEXT,
    write_ro_crate,
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _ids(value) -> list[str]:
    return [ref["@id"] for ref in _as_list(value)]


@pytest.fixture
def crate(project, tmp_path):
    out = write_ro_crate(project.runs, project.root, tmp_path / "crate")
    meta = json.loads((out / "ro-crate-metadata.json").read_text())
    graph = {e["@id"]: e for e in meta["@graph"]}
    return out, meta, graph


def _types(entity) -> list[str]:
    return _as_list(entity["@type"])


def test_crate_reads_back_with_rocrate(project, crate):
    out, _meta, graph = crate
    back = ROCrate(out)
    file_ids = {e["@id"] for e in graph.values() if "File" in _types(e)}
    assert {e.id for e in back.data_entities} == file_ids
    assert len(back.get_by_type("CreateAction")) == len(project.runs)


def test_every_file_exists_with_its_sha256_and_is_a_part_of_root(crate):
    out, _meta, graph = crate
    files = [e for e in graph.values() if "File" in _types(e)]
    assert files
    for entity in files:
        path = out / entity["@id"]
        assert path.is_file(), entity["@id"]
        assert entity["sha256"] == _sha256(path)
        assert int(entity["contentSize"]) == path.stat().st_size
    assert set(_ids(graph["./"]["hasPart"])) == {e["@id"] for e in files}


def test_all_files_of_the_runs_are_copied_byte_for_byte(project, crate):
    out, _meta, _graph = crate
    paths = set()
    for run in project.runs:
        paths |= {run["record_path"], run["raw_path"], run["result_path"]}
        paths |= {p["path"] for p in run["lineage"]}
        if run["plot_path"]:
            paths.add(run["plot_path"])
    for rel in paths:
        assert (out / rel).read_bytes() == (project.root / rel).read_bytes()


def test_profile_context_and_software(project, crate):
    _out, meta, graph = crate
    assert WORKFLOW_RUN_CONTEXT in meta["@context"]
    assert graph["ro-crate-metadata.json"]["conformsTo"]["@id"] == "https://w3id.org/ro/crate/1.1"
    assert graph["./"]["conformsTo"]["@id"] == PROCESS_RUN_CRATE
    assert "CreativeWork" in _types(graph[PROCESS_RUN_CRATE])
    apps = [e for e in graph.values() if e.get("name") == "labledger"]
    # the demo runs come from two builds: one with a git commit (clean and dirty) and one without
    assert {a.get("identifier") for a in apps} == {
        f"git:{project.runs[0]['git_commit']}",
        None,
    }
    for app in apps:
        assert "SoftwareApplication" in _types(app)
        assert app["softwareVersion"] == "0.1.0"
        libs = {
            graph[i]["name"]: graph[i]["softwareVersion"] for i in _ids(app["softwareRequirements"])
        }
        assert libs == project.runs[0]["libraries"]


def test_actions_reference_existing_entities(project, crate):
    _out, _meta, graph = crate
    actions = [e for e in graph.values() if "CreateAction" in _types(e)]
    assert len(actions) == len(project.runs)
    assert set(_ids(graph["./"]["mentions"])) == {a["@id"] for a in actions}
    for action in actions:
        for prop in ("instrument", "agent", "object", "result"):
            refs = _ids(action[prop])
            assert refs, prop
            for ref in refs:
                assert ref in graph, f"{action['@id']} {prop} -> {ref}"
        (instrument,) = _ids(action["instrument"])
        assert "SoftwareApplication" in _types(graph[instrument])
        (agent,) = _ids(action["agent"])
        assert "Person" in _types(graph[agent])


def _action_of(graph, run):
    (action,) = [
        e
        for e in graph.values()
        if "CreateAction" in _types(e)
        and e["startTime"] == run["started_at"]
        and e["name"].endswith(run["record_id"])
    ]
    return action


def test_current_runs_point_at_the_files_with_matching_hashes(project, crate):
    _out, _meta, graph = crate
    for run in project.runs:
        if not run["current"]:
            continue
        action = _action_of(graph, run)
        assert action["endTime"] == run["finished_at"]
        objects = {graph[i].get("sha256"): i for i in _ids(action["object"])}
        assert objects[run["record_sha256"]] == run["record_path"]
        assert objects[run["raw_sha256"]] == run["raw_path"]
        results = _ids(action["result"])
        assert results[0] == run["result_path"]
        assert graph[results[0]]["sha256"] == run["result_sha256"]
        params = {
            graph[i]["name"]: graph[i]["value"]
            for i in _ids(action["object"])
            if "PropertyValue" in _types(graph[i])
        }
        assert set(params) == set(run["params"])
        assert graph[_ids(action["agent"])[0]]["name"] == run["user"]


def test_stale_run_points_at_the_version_it_used_not_the_file_now(project, crate):
    _out, _meta, graph = crate
    stale = project.run_of("X-001", current=False)
    action = _action_of(graph, stale)
    (record_ref,) = [
        i
        for i in _ids(action["object"])
        if "PropertyValue" not in _types(graph[i])
        and graph[i].get("alternateName", i) == stale["record_path"]
    ]
    old = graph[record_ref]
    assert "File" not in _types(old)
    assert old["sha256"] == stale["record_sha256"]
    assert graph[stale["record_path"]]["sha256"] != stale["record_sha256"]
    for ref in _ids(action["result"]):  # result and plot were overwritten by the later run
        assert "File" not in _types(graph[ref])
    assert "stale (record changed)" in action["description"]


def test_lineage_is_linked_from_the_record_file(project, crate):
    _out, _meta, graph = crate
    cell = project.run_of("C-001")
    assert _ids(graph[cell["record_path"]]["isBasedOn"]) == [p["path"] for p in cell["lineage"]]


def test_missing_file_is_an_input_file_error(project, tmp_path):
    (project.root / project.runs[2]["raw_path"]).unlink()
    with pytest.raises(InputFileError, match=r"S-001\.csv: run of S-001: listed in the prov"):
        write_ro_crate(project.runs, project.root, tmp_path / "crate")


def test_path_outside_root_is_refused(project, tmp_path):
    run = dict(project.runs[1], raw_path="../outside.csv")
    (project.root.parent / "outside.csv").write_text("x\n")
    with pytest.raises(InputFileError, match="relative to the project root"):
        write_ro_crate([run], project.root, tmp_path / "crate")


def test_out_dir_must_be_empty_unless_overwriting_a_crate(project, tmp_path):
    out = write_ro_crate(project.runs, project.root, tmp_path / "crate")
    (out / "left-over.txt").write_text("from an earlier export\n")
    with pytest.raises(LabledgerError, match="overwrite=True"):
        write_ro_crate(project.runs[:1], project.root, out)
    write_ro_crate(project.runs[1:2], project.root, out, overwrite=True)
    assert not (out / "left-over.txt").exists()
    assert len(ROCrate(out).get_by_type("CreateAction")) == 1
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine\n")
    with pytest.raises(LabledgerError, match="holds no RO-Crate"):
        write_ro_crate(project.runs, project.root, other, overwrite=True)
    assert (other / "keep.txt").exists()
