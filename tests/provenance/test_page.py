"""The HTML provenance page and the plain-text chain."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest

from labledger.errors import LabledgerError
from labledger.provenance.page import SHORT_HASH, provenance_chain_text, render_provenance_page

SCRIPT = "<script>alert(1)</script>"


def _record(run: dict, status: str = "valid") -> dict:
    return {
        "id": run["record_id"],
        "kind": run["kind"],
        "path": run["record_path"],
        "sha256": run["record_sha256"],
        "status": status,
    }


class _Tags(HTMLParser):
    """Collects tags, ids, href anchors and attributes that could fetch from the network."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.fetching: list[tuple[str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag not in {"meta", "br", "link", "img"}:
            self.stack.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        for name in ("src", "srcset"):
            if name in attrs:
                self.fetching.append((tag, name))
        if tag == "link":
            self.fetching.append((tag, "href"))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack[-3:], tag)
        self.stack.pop()


def _parse(page: str) -> _Tags:
    tags = _Tags()
    tags.feed(page)
    tags.close()
    assert tags.stack == []
    return tags


@pytest.fixture
def xrd_page(project):
    current = project.run_of("X-001")
    runs = [r for r in project.runs if r["record_id"] == "X-001"]
    return render_provenance_page(_record(current), runs), runs


def test_text_from_records_is_escaped(project):
    run = project.run_of("S-001")
    record = dict(_record(run), status=f"ok {SCRIPT}")
    page = render_provenance_page(record, [run])
    assert SCRIPT not in page
    assert html.escape(SCRIPT) in page
    assert _parse(page).scripts == 0


def test_every_input_output_and_lineage_path_and_hash_is_on_the_page(project):
    for record_id in ("X-001", "S-001", "C-001"):
        runs = [r for r in project.runs if r["record_id"] == record_id]
        page = render_provenance_page(_record(runs[-1]), runs)
        for run in runs:
            for key in ("record", "raw", "result"):
                assert run[f"{key}_path"] in page
                sha = run[f"{key}_sha256"]
                assert f'title="sha256 {sha}"' in page
                assert f">{sha[:SHORT_HASH]}<" in page
            if run["plot_path"]:
                assert run["plot_path"] in page
            for parent in run["lineage"]:
                assert parent["path"] in page and parent["sha256"] in page
            for name, value in run["params"].items():
                assert f"<td>{name}</td>" in page
                if isinstance(value, str):
                    assert f"<code>{html.escape(value)}</code>" in page
            for lib, version in run["libraries"].items():
                assert f"<td>{lib}</td><td>{version}</td>" in page
            for key in ("rule", "host", "user", "started_at", "finished_at"):
                assert run[key] in page
            if run["git_commit"]:
                assert run["git_commit"] in page


def test_status_code_version_and_order(xrd_page):
    page, runs = xrd_page
    stale = next(r for r in runs if not r["current"])
    current = next(r for r in runs if r["current"])
    assert '<span class="badge current">current</span>' in page
    assert '<span class="badge stale">stale: record changed</span>' in page
    assert page.index(current["started_at"]) < page.index(stale["started_at"])
    # the stale run read an earlier version of the record file, and the page says so
    assert page.count("differs from the record file now") == 1
    assert "xrd analysis 1" in page and "xrd analysis 2" in page
    assert "uncommitted changes: no" in page


def test_page_is_self_contained_and_its_links_resolve(xrd_page):
    page, _runs = xrd_page
    tags = _parse(page)
    assert tags.fetching == []
    assert "http" not in page and "url(" not in page and "@import" not in page
    anchors = [h[1:] for h in tags.hrefs if h.startswith("#")]
    assert len(anchors) == 2 and set(anchors) <= tags.ids
    assert "@media print" in page


def test_page_without_runs(project):
    page = render_provenance_page(_record(project.run_of("C-001")), [])
    assert "No analysis run is recorded" in page
    _parse(page)


def test_chain_text_reads_from_result_back_to_lineage(project):
    text = provenance_chain_text([project.run_of("C-001")])
    run = project.run_of("C-001")
    lines = text.splitlines()
    assert lines[0] == "C-001 cycling [current]"
    assert lines[1] == f"  {run['result_path']} (sha256 {run['result_sha256'][:SHORT_HASH]})"
    assert lines[2].startswith("  <- cycling analysis 1 (rule cells, labledger 0.1.0")
    assert run["started_at"] in lines[2] and "ana@xrd-pc" in lines[2]
    assert lines[3] == (
        f"  <- {run['record_path']} (sha256 {run['record_sha256'][:SHORT_HASH]})"
        f" + {run['raw_path']} (sha256 {run['raw_sha256'][:SHORT_HASH]})"
    )
    electrode, batch = run["lineage"]
    short = SHORT_HASH
    assert (
        lines[4]
        == f"  <- E-001 electrode {electrode['path']} (sha256 {electrode['sha256'][:short]})"
    )
    assert lines[5] == f"  <- B-001 batch {batch['path']} (sha256 {batch['sha256'][:short]})"


def test_chain_text_marks_stale_runs_and_can_show_full_hashes(project):
    runs = [r for r in project.runs if r["record_id"] == "X-001"]
    text = provenance_chain_text(runs, full_hashes=True)
    blocks = text.strip().split("\n\n")
    assert blocks[0].startswith("X-001 xrd [current]")
    assert blocks[1].startswith("X-001 xrd [stale: record changed]")
    for block, run in zip(
        blocks, [project.run_of("X-001"), project.run_of("X-001", False)], strict=True
    ):
        assert run["record_sha256"] in block and run["result_sha256"] in block
        assert f"{run['plot_path']}\n" in block and "dirty" not in block
    assert "git 3f9c2a7d1e0b" in text


def test_record_without_status_is_named(project):
    record = _record(project.run_of("C-001"))
    del record["status"]
    with pytest.raises(LabledgerError, match="C-001: record lacks \\['status'\\]"):
        render_provenance_page(record, [project.run_of("C-001")])


def test_a_batch_page_compares_no_measurement_file_with_the_batch_file(project):
    """The page of batch B-001 lists its scan's runs; their record input is the scan's file,
    which differs from the batch's file by nature, not because anything changed."""
    [parent] = [p for p in project.run_of("X-001")["lineage"] if p["id"] == "B-001"]
    batch = {"id": "B-001", "kind": "batch", "path": parent["path"], "status": "valid"}
    batch["sha256"] = parent["sha256"]
    runs = [r for r in project.runs if r["record_id"] == "X-001" and r["current"]]
    page = render_provenance_page(batch, runs)
    assert runs and "X-001" in page
    assert "differs from the record file now" not in page
