"""W3C PROV export: validity by prov's own checks, round trips, and what the graph says."""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from pathlib import Path

import pytest
from prov.model import (
    PROV,
    PROV_TYPE,
    ProvActivity,
    ProvAgent,
    ProvAssociation,
    ProvDerivation,
    ProvDocument,
    ProvEntity,
    ProvGeneration,
    ProvUsage,
)

from labledger.errors import LabledgerError
from labledger.provenance.w3c_prov import (
    check_prov_document,
    prov_document,
    prov_json,
    prov_n,
    write_prov_json,
)


def _attr(record, name: str):
    """The single value of attribute `labledger:<name>` (or None) of a PROV record."""
    values = [v for k, v in record.attributes if k.localpart == name]
    assert len(values) <= 1
    return values[0] if values else None


def _entities_by_path(doc: ProvDocument) -> dict[tuple[str, str | None], ProvEntity]:
    out = {}
    for e in doc.get_records(ProvEntity):
        if _attr(e, "path") is not None:
            out[(_attr(e, "path"), _attr(e, "sha256"))] = e
    return out


def _activity_of(doc: ProvDocument, run: dict) -> ProvActivity:
    start = dt.datetime.fromisoformat(run["started_at"])
    (act,) = [
        a
        for a in doc.get_records(ProvActivity)
        if _attr(a, "record_id") == run["record_id"] and a.get_startTime() == start
    ]
    return act


def test_document_passes_prov_checks(project):
    doc = prov_document(project.runs)
    assert check_prov_document(doc) == []
    doc.unified()  # raises on PROV-CONSTRAINTS type or key conflicts


def test_prov_json_file_reads_back_equal(project, tmp_path):
    path = write_prov_json(project.runs, tmp_path / "out" / "prov.json")
    back = ProvDocument.deserialize(source=str(path), format="json")
    assert back == prov_document(project.runs)
    assert len(list(back.get_records(ProvActivity))) == len(project.runs)


def test_prov_json_matches_the_prov_json_schema(project):
    jsonschema = pytest.importorskip("jsonschema")
    schema_file = files("prov.tests") / "schemas" / "prov-json.schema.json"
    if not schema_file.is_file():
        pytest.skip("prov ships no PROV-JSON schema here")
    schema = json.loads(schema_file.read_text())
    errors = list(
        jsonschema.validators.validator_for(schema)(schema).iter_errors(
            json.loads(prov_json(project.runs))
        )
    )
    assert errors == []


def test_prov_n_reads_back_equal(project):
    text = prov_n(project.runs)
    assert text.startswith("document")
    assert ProvDocument.deserialize(content=text, format="provn") == prov_document(project.runs)


def test_export_is_deterministic(project):
    assert prov_json(project.runs) == prov_json([dict(r) for r in project.runs])


def test_each_run_uses_its_inputs_and_generates_its_outputs(project):
    doc = prov_document(project.runs)
    files_ = _entities_by_path(doc)
    usages = {
        (u.formal_attributes[0][1], u.formal_attributes[1][1]) for u in doc.get_records(ProvUsage)
    }
    gens = {
        (g.formal_attributes[0][1], g.formal_attributes[1][1])
        for g in doc.get_records(ProvGeneration)
    }
    derivs = {
        (d.formal_attributes[0][1], d.formal_attributes[1][1], d.formal_attributes[2][1])
        for d in doc.get_records(ProvDerivation)
    }
    for run in project.runs:
        act = _activity_of(doc, run).identifier
        assert _activity_of(doc, run).get_endTime() == dt.datetime.fromisoformat(run["finished_at"])
        record = files_[(run["record_path"], run["record_sha256"])].identifier
        raw = files_[(run["raw_path"], run["raw_sha256"])].identifier
        result = files_[(run["result_path"], run["result_sha256"])].identifier
        assert (act, record) in usages and (act, raw) in usages
        assert (result, act) in gens
        assert (result, record, act) in derivs and (result, raw, act) in derivs
        for parent in run["lineage"]:
            parent_id = files_[(parent["path"], parent["sha256"])].identifier
            assert (record, parent_id, None) in derivs


def test_stale_and_current_runs_used_different_record_versions(project):
    doc = prov_document(project.runs)
    stale, current = project.run_of("X-001", current=False), project.run_of("X-001")
    assert stale["record_sha256"] != current["record_sha256"]
    files_ = _entities_by_path(doc)
    assert (stale["record_path"], stale["record_sha256"]) in files_
    assert (current["record_path"], current["record_sha256"]) in files_
    assert _attr(_activity_of(doc, stale), "current") is False
    assert _attr(_activity_of(doc, stale), "stale_reason") == "record changed"
    assert _attr(_activity_of(doc, current), "current") is True
    # both runs' plots are distinct entities although they share a path
    plots = [e for e in doc.get_records(ProvEntity) if _attr(e, "path") == stale["plot_path"]]
    assert len(plots) == 2


def test_params_round_trip_as_json(project):
    doc = prov_document(project.runs)
    for run in project.runs:
        assert json.loads(_attr(_activity_of(doc, run), "params")) == run["params"]


def test_agents_carry_person_code_and_library_versions(project):
    doc = prov_document(project.runs)
    agents = {a.identifier: a for a in doc.get_records(ProvAgent)}
    assoc = {}
    for a in doc.get_records(ProvAssociation):
        assoc.setdefault(a.formal_attributes[0][1], []).append(
            (a.formal_attributes[1][1], a.formal_attributes[2][1])
        )
    for run in project.runs:
        act = _activity_of(doc, run).identifier
        linked = [agents[agent] for agent, _plan in assoc[act]]
        people = [a for a in linked if PROV["Person"] in a.get_attribute(PROV_TYPE)]
        software = [a for a in linked if PROV["SoftwareAgent"] in a.get_attribute(PROV_TYPE)]
        assert [_attr(p, "user") for p in people] == [run["user"]]
        assert [_attr(p, "host") for p in people] == [run["host"]]
        (sw,) = software
        assert _attr(sw, "version") == run["labledger_version"]
        assert _attr(sw, "git_commit") == run["git_commit"]
        assert _attr(sw, "git_dirty") == run["git_dirty"]
        for name, version in run["libraries"].items():
            assert _attr(sw, f"library_{name}") == version
        (plan,) = [p for _a, p in assoc[act] if p is not None]
        assert _attr(doc.get_record(plan)[0], "analysis_version") == run["analysis_version"]


def test_checker_reports_a_broken_document():
    doc = ProvDocument()
    doc.add_namespace("ex", "urn:example:")
    doc.entity("ex:thing")
    doc.activity("ex:thing")  # an entity and an activity may not share an id
    problems = check_prov_document(doc)
    assert any("unification" in p for p in problems)


def test_missing_key_and_bad_time_are_named(project):
    run = dict(project.runs[0])
    del run["result_sha256"]
    with pytest.raises(LabledgerError, match="X-001 lacks result_sha256"):
        prov_document([run])
    run = dict(project.runs[0], started_at="yesterday")
    with pytest.raises(LabledgerError, match=r"started_at .* 'yesterday'"):
        prov_document([run])


def test_paths_with_spaces_stay_valid(project, tmp_path: Path):
    run = dict(project.runs[1], record_path="records/xrd/scan #1 (Ana's).yaml")
    doc = prov_document([run])
    assert check_prov_document(doc) == []
    assert (run["record_path"], run["record_sha256"]) in _entities_by_path(doc)
