"""The workflow's provenance export covers the runs each ingest produced, not the whole database;
`--all` exports the whole database on demand. Every export validates as PROV and as an RO-Crate."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

from prov.model import ProvDocument
from rocrate.rocrate import ROCrate

from labledger.analyses import analyze_record
from labledger.config import DATABASE_URL_ENV
from labledger.db.ingest import ingest
from labledger.provenance.publish import INDEX, LATEST, publish_provenance
from labledger.provenance.w3c_prov import check_prov_document
from support.databases import backend, postgres_database


def _activities(prov_json: Path) -> list[str]:
    """Record ids of the analysis runs in a PROV-JSON file, checked valid on the way."""
    doc = ProvDocument.deserialize(prov_json, format="json")
    assert check_prov_document(doc) == []
    data = json.loads(prov_json.read_text())
    return sorted(a["labledger:record_id"] for a in data.get("activity", {}).values())


def _actions(crate: Path) -> list[str]:
    back = ROCrate(crate)
    return sorted(a["name"] for a in back.get_by_type("CreateAction"))


def _mtimes(pages: Path) -> dict[str, int]:
    return {p.stem: p.stat().st_mtime_ns for p in pages.glob("*.html")}


def test_one_record_change_exports_only_its_run_and_renders_only_its_pages(project) -> None:
    config = project.config()
    for rid in ("C-012", "XRD-003"):
        analyze_record(config, rid, rule="test")
    ingest(config)
    out = project.root / "results" / "provenance"
    first = publish_provenance(config, out)
    assert first.n_runs == 2 and first.crate is not None
    assert _activities(first.prov_json) == ["C-012", "XRD-003"]
    assert _actions(first.crate) == ["cycling analysis of C-012", "xrd analysis of XRD-003"]
    pages = _mtimes(out / "pages")
    assert {"C-012", "E-003", "B-003", "XRD-003"} <= set(pages)

    record = project.records / "xrd" / "XRD-003.yaml"
    record.write_text(record.read_text().replace("Bruker D8 Advance", "Bruker D8 Discover"))
    analyze_record(config, "XRD-003", rule="test")
    ingest(config)
    second = publish_provenance(config, out)
    assert second.n_runs == 1
    assert second.prov_json.parent != first.prov_json.parent  # a folder per export
    assert _activities(second.prov_json) == ["XRD-003"]
    assert _actions(second.crate) == ["xrd analysis of XRD-003"]
    crate_files = {p.name for p in second.crate.rglob("*") if p.is_file()}
    assert "XRD-003.yaml" in crate_files and "C-012.xlsx" not in crate_files
    # the scan's page and its batch's page (which lists the scan's runs) only
    rendered = {p.stem for p in second.rendered}
    assert rendered == {"XRD-003", "B-003"}
    after = _mtimes(out / "pages")
    assert {rid for rid in pages if after[rid] != pages[rid]} == {"XRD-003", "B-003"}
    # the earlier export stays as it was; the index lists both, the stamp the latest
    assert _activities(first.prov_json) == ["C-012", "XRD-003"]
    index = json.loads((out / INDEX).read_text())
    assert [e["record_ids"] for e in index["exports"]] == [["C-012", "XRD-003"], ["XRD-003"]]
    latest = json.loads((out / LATEST).read_text())
    assert latest["export"]["record_ids"] == ["XRD-003"]
    assert latest["pages_rendered"] == ["B-003", "XRD-003"]

    # nothing new: no export folder, no page rendered
    third = publish_provenance(config, out)
    assert third.n_runs == 0 and third.crate is None and third.rendered == []
    assert len(json.loads((out / INDEX).read_text())["exports"]) == 2


def test_a_batch_edit_renders_the_pages_below_it_without_exporting_runs(project) -> None:
    config = project.config()
    for rid in ("C-012", "XRD-003", "EIS-001"):
        analyze_record(config, rid, rule="test")
    ingest(config)
    out = project.root / "results" / "provenance"
    publish_provenance(config, out)
    batch = project.records / "batches" / "B-003.yaml"
    text = batch.read_text()
    batch.write_text(text + "\n# weighed again\n")
    ingest(config)
    done = publish_provenance(config, out)
    assert done.n_runs == 0
    rendered = {p.stem for p in done.rendered}
    # every page that shows B-003's hash: its own, and those of the runs below it
    # every page that shows B-003's hash: its own, and those of the runs below it; not the
    # page of EIS-001, a spectrum of B-001
    assert rendered == {"B-003", "XRD-003", "E-003", "C-012"}


def test_export_after_the_database_was_rebuilt_starts_again(project, monkeypatch) -> None:
    config = project.config()
    for rid in ("XRD-003", "C-012"):
        analyze_record(config, rid, rule="test")
    ingest(config)
    out = project.root / "results" / "provenance"
    publish_provenance(config, out)
    record = project.records / "xrd" / "XRD-003.yaml"
    record.write_text(record.read_text().replace("Bruker D8 Advance", "Bruker D8 Discover"))
    analyze_record(config, "XRD-003", rule="test")
    with ExitStack() as stack:
        if backend() == "sqlite":
            project.db_path.unlink()
        else:  # a new database in place of the test's own
            monkeypatch.setenv(DATABASE_URL_ENV, stack.enter_context(postgres_database()))
        ingest(config)
        done = publish_provenance(config, out)
    # run ids start again at 1 in the new database: an export that kept counting from the
    # old one would see nothing new
    assert done.n_runs == 2 and _activities(done.prov_json) == ["C-012", "XRD-003"]


def test_all_exports_every_current_run_and_validates(project, cli) -> None:
    config = project.config()
    for rid in ("C-012", "XRD-003"):
        analyze_record(config, rid, rule="test")
    ingest(config)
    result = cli("export-provenance", cwd=project.root)
    assert result.code == 0, result.err
    record = project.records / "cells" / "C-012.yaml"
    record.write_text(record.read_text().replace("Celgard 2400", "Celgard 2500"))
    analyze_record(config, "C-012", rule="test")
    ingest(config)
    whole = project.root / "whole"
    result = cli("export-provenance", "--all", "--out", str(whole), cwd=project.root)
    assert result.code == 0, result.err
    assert "2 runs" in result.out
    assert _activities(whole / "prov.json") == ["C-012", "XRD-003"]
    assert _actions(whole / "crate") == ["cycling analysis of C-012", "xrd analysis of XRD-003"]
    back = ProvDocument.deserialize(content=(whole / "prov.provn").read_text(), format="provn")
    assert back == ProvDocument.deserialize(whole / "prov.json", format="json")
    assert {"C-012", "B-003", "XRD-003"} <= {p.stem for p in (whole / "pages").glob("*.html")}
