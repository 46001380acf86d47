"""The provenance export of an analysed project validates as PROV and as an RO-Crate."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from rocrate.rocrate import ROCrate

from labledger.analyses import analyze_record
from labledger.db.ingest import ingest
from labledger.hashing import sha256_file
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


class _Outputs(HTMLParser):
    """Rows of every "Outputs" table of a provenance page: (role, path, full sha256 or None)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list] = []
        self._heading = ""
        self._in_h3 = self._in_table = self._in_full = False
        self._cell: list[str] | None = None
        self._row: list | None = None
        self._full: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        cls = dict(attrs).get("class") or ""
        if tag == "h3":
            self._in_h3, self._heading = True, ""
        elif tag == "table" and self._heading == "Outputs":
            self._in_table = True
        elif self._in_table and tag == "tr":
            self._row, self._full = [], None
        elif self._in_table and tag == "td":
            self._cell = []
        elif self._in_table and tag == "span" and cls == "full":
            self._in_full = True

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._in_h3:
            self._heading += data
        if self._in_full:
            self._full = (self._full or "") + data
        elif self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "h3":
            self._in_h3 = False
        elif tag == "span":
            self._in_full = False
        elif tag == "td" and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row:
            self.rows.append([self._row[0], self._row[1], self._full])
            self._row = None
        elif tag == "table":
            self._in_table = False


def test_every_output_row_carries_the_sha256_of_its_file(project, cli) -> None:  # type: ignore[no-untyped-def]
    """Result and plot rows alike: each output of each run on a provenance page shows a sha256,
    and it is the sha256 of that file as it is; `labledger provenance` prints it too."""
    config = project.config()
    ids = ("C-012", "XRD-003", "EIS-003")
    for rid in ids:
        analyze_record(config, rid, rule="test")
    ingest(config)
    out = project.root / "results" / "provenance"
    publish_provenance(config, out)
    roles = set()
    for rid in (*ids, "B-003"):
        parser = _Outputs()
        parser.feed((out / "pages" / f"{rid}.html").read_text())
        assert parser.rows, rid
        for role, path, sha in parser.rows:
            roles.add(role)
            assert sha is not None, (rid, role, path)
            assert sha == sha256_file(project.root / path), (rid, role, path)
    assert roles == {"result", "plot"}
    result = cli("provenance", "EIS-003", cwd=project.root)
    plot = project.root / "results" / "eis" / "EIS-003.svg"
    assert f"results/eis/EIS-003.svg (sha256 {sha256_file(plot)[:12]})" in result.out

    # a result file written before results recorded their plot's hash: the plot file's own
    envelope_path = project.root / "results" / "eis" / "EIS-003.json"
    envelope = json.loads(envelope_path.read_text())
    for output in envelope["outputs"]:
        del output["sha256"]
    envelope_path.write_text(json.dumps(envelope, indent=1))
    ingest(config)
    publish_provenance(config, out)
    parser = _Outputs()
    parser.feed((out / "pages" / "EIS-003.html").read_text())
    assert [sha for role, _, sha in parser.rows if role == "plot"] == [sha256_file(plot)]
