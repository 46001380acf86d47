"""Write the provenance of the whole database: PROV-JSON, PROV-N, an RO-Crate and HTML pages.

`<out>/prov.json` and `<out>/prov.provn` hold every current analysis run; `<out>/crate/` is an
RO-Crate with the record, raw, result and plot files; `<out>/pages/<ID>.html` is one page per
record that has results or stands in the lineage of one (a batch shows the runs of every
measurement of its pellets, electrodes and cells).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labledger.config import Config
from labledger.db.provenance_query import all_current_runs, all_records
from labledger.errors import LabledgerError


@dataclass(frozen=True)
class Published:
    prov_json: Path
    prov_n: Path
    crate: Path
    pages: list[Path]
    n_runs: int


def publish_provenance(config: Config, out: Path) -> Published:
    """Export every current run's provenance under `out` (replacing an earlier export)."""
    from labledger.provenance.export import (
        check_prov_document,
        prov_document,
        write_prov_json,
        write_ro_crate,
    )
    from labledger.provenance.page import render_provenance_page

    runs = all_current_runs(config.database_url, config.root, config.records_dir)
    records = all_records(config.database_url, config.root, config.records_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = prov_document(runs)
    problems = check_prov_document(doc)
    if problems:
        raise LabledgerError("provenance document is not valid PROV: " + "; ".join(problems))
    prov_json = write_prov_json(runs, out / "prov.json")
    prov_n = out / "prov.provn"
    prov_n.write_text(doc.get_provn() + "\n", encoding="utf-8")
    crate = write_ro_crate(runs, config.root, out / "crate", overwrite=True)

    by_record: dict[str, list[dict]] = {}
    for run in runs:
        for rid in [run["record_id"], *(r["id"] for r in run["lineage"])]:
            by_record.setdefault(rid, []).append(run)
    pages_dir = out / "pages"
    pages_dir.mkdir(exist_ok=True)
    pages = []
    for rid, record_runs in sorted(by_record.items()):
        record = records.get(rid)
        if record is None:
            continue
        page = pages_dir / f"{rid}.html"
        page.write_text(render_provenance_page(record, record_runs), encoding="utf-8")
        pages.append(page)
    return Published(prov_json, prov_n, crate, pages, len(runs))
