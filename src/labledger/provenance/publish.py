"""Write the provenance of the whole database: PROV-JSON, PROV-N, an RO-Crate and HTML pages.

`<out>/prov.json` and `<out>/prov.provn` hold every current analysis run; `<out>/crate/` is an
RO-Crate with the record, raw, result and plot files; `<out>/pages/<ID>.html` is one page per
record that has results or stands in the lineage of one (a batch shows the runs of every
measurement of its pellets, electrodes and cells).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from labledger.config import Config
from labledger.db.provenance_query import all_current_runs, all_records


@dataclass(frozen=True)
class Published:
    prov_json: Path
    prov_n: Path
    crate: Path
    pages: list[Path]
    n_runs: int
    skipped: list[str]  # runs left out because a file they name no longer exists


def publish_provenance(config: Config, out: Path) -> Published:
    """Export every current run's provenance under `out` (replacing an earlier export)."""
    from labledger.provenance.export import prov_document, write_prov_json, write_ro_crate
    from labledger.provenance.page import render_provenance_page

    runs, skipped = [], []
    for run in all_current_runs(config.database_url, config.root, config.records_dir):
        files = [run["record_path"], run["raw_path"], run["result_path"], run["plot_path"]]
        if all(f is None or (config.root / f).is_file() for f in files):
            runs.append(run)
        else:  # e.g. a raw file renamed since: the run is stale and its files are gone
            skipped.append(run["record_id"])
    records = all_records(config.database_url, config.root, config.records_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Valid by construction: tests check the documents with `check_prov_document`, which
    # round-trips them through PROV-N and costs seconds per thousand runs.
    prov_json = write_prov_json(runs, out / "prov.json")
    prov_n = out / "prov.provn"
    prov_n.write_text(prov_document(runs).get_provn() + "\n", encoding="utf-8")
    crate = write_ro_crate(runs, config.root, out / "crate", overwrite=True)

    by_record: dict[str, list[dict]] = {}
    for run in runs:
        for rid in [run["record_id"], *(r["id"] for r in run["lineage"])]:
            by_record.setdefault(rid, []).append(run)
    pages = _write_pages(out / "pages", by_record, records, render_provenance_page)
    return Published(prov_json, prov_n, crate, pages, len(runs), skipped)


#: Beside the pages: the hash of what each page was rendered from, so an export after a
#: one-record change renders only the pages whose record or runs changed.
PAGE_MANIFEST = ".inputs.json"


def _write_pages(
    pages_dir: Path,
    by_record: dict[str, list[dict]],
    records: dict[str, dict],
    render: Callable[[dict, list[dict]], str],
) -> list[Path]:
    pages_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = pages_dir / PAGE_MANIFEST
    try:
        before = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}
    after, pages = {}, []
    for rid, record_runs in sorted(by_record.items()):
        record = records.get(rid)
        if record is None:
            continue
        blob = json.dumps([record, record_runs], sort_keys=True, default=str)
        after[rid] = hashlib.sha256(blob.encode()).hexdigest()
        page = pages_dir / f"{rid}.html"
        if before.get(rid) != after[rid] or not page.is_file():
            page.write_text(render(record, record_runs), encoding="utf-8")
        pages.append(page)
    for rid in set(before) - set(after):
        (pages_dir / f"{rid}.html").unlink(missing_ok=True)
    manifest_path.write_text(json.dumps(after, sort_keys=True), encoding="utf-8")
    return pages
