"""The provenance export of an analysed project validates as PROV and as an RO-Crate."""

from __future__ import annotations

import json

from rocrate.rocrate import ROCrate

from labledger.analyses import analyze_record
from labledger.db.ingest import ingest
from labledger.provenance.publish import publish_provenance
from labledger.provenance.w3c_prov import check_prov_document


def test_publish_validates_and_links_batch_pages(project, cli) -> None:
    from prov.model import ProvDocument

    config = project.config()
    for rid in ("C-012", "XRD-003"):
        analyze_record(config, rid, rule="test")
    ingest(config)
    out = project.root / "results" / "provenance"
    done = publish_provenance(config, out)
    assert done.n_runs == 2
    doc = ProvDocument.deserialize(done.prov_json, format="json")
    assert check_prov_document(doc) == []
    crate = ROCrate(done.crate)
    names = {e.id for e in crate.get_entities()}
    assert any(n.endswith("C-012.xlsx") for n in names)
    assert any(n.endswith("XRD-003.json") for n in names)
    pages = {p.stem for p in done.pages}
    # the measurements, and every record in their lineage (electrode and batch)
    assert {"C-012", "XRD-003", "E-003", "B-003"} <= pages
    b003 = (out / "pages" / "B-003.html").read_text()
    assert "XRD-003" in b003 and "C-012" in b003
    json.loads(done.prov_json.read_text())  # PROV-JSON is JSON

    result = cli("provenance", "C-012", cwd=project.root)
    assert result.code == 0
    assert "records/raw/cells/C-012.xlsx" in result.out and "<- B-003 batch" in result.out


def test_runs_whose_files_are_gone_are_left_out_and_named(project) -> None:
    config = project.config()
    for rid in ("C-012", "EIS-003"):
        analyze_record(config, rid)
    ingest(config)
    (project.root / "results" / "eis" / "EIS-003.svg").unlink()
    done = publish_provenance(config, project.root / "results" / "provenance")
    assert done.n_runs == 1 and done.skipped == ["EIS-003"]
    assert not (project.root / "results" / "provenance" / "pages" / "EIS-003.html").exists()


def test_export_renders_again_only_the_pages_that_changed(project) -> None:
    config = project.config()
    for rid in ("C-012", "XRD-003"):
        analyze_record(config, rid)
    ingest(config)
    out = project.root / "results" / "provenance"
    publish_provenance(config, out)
    pages = out / "pages"
    stamp = {p.name: p.stat().st_mtime_ns for p in pages.glob("*.html")}
    path = project.records / "cells" / "C-012.yaml"
    path.write_text(path.read_text().replace("Celgard 2400", "Celgard 2500"))
    analyze_record(config, "C-012")
    ingest(config)
    publish_provenance(config, out)
    changed = {p.name for p in pages.glob("*.html") if p.stat().st_mtime_ns != stamp[p.name]}
    # C-012's page and the pages of its lineage (E-003 and B-003 list its runs) change;
    # the scan's own page does not.
    assert changed == {"C-012.html", "E-003.html", "B-003.html"}
    (project.records / "cells" / "C-012.yaml").unlink()
    ingest(config)
    publish_provenance(config, out)
    assert not (pages / "C-012.html").exists() and (pages / "XRD-003.html").exists()


def test_provenance_pages_link_back_to_the_report(project) -> None:  # type: ignore[no-untyped-def]
    config = project.config()
    analyze_record(config, "XRD-003", rule="test")
    ingest(config)
    out = config.results_dir / "provenance"
    publish_provenance(config, out)
    page = (out / "pages" / "XRD-003.html").read_text()
    # a scan is a section of its batch's report page
    assert 'href="../../report/samples/B-003.html#XRD-003"' in page
    assert 'href="../../report/index.html"' in page
