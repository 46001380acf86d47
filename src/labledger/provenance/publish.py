"""Write the provenance of analysis runs: PROV-JSON, PROV-N, RO-Crates and HTML pages.

Two forms, both under one folder `out` (the workflow's is `<results_dir>/provenance`):

- Incremental (`publish_provenance`, the workflow's `labledger export-provenance`): each export
  covers the analysis runs the ingests since the previous export produced, in
  `<out>/runs/ingest-<last ingest id>/` (`prov.json`, `prov.provn`, `crate/`), lists it in
  `<out>/runs/index.json` and renders again only the pages of the records those runs and ingests
  touched. Its cost grows with what changed, not with the size of the database. `<out>/latest.json`
  summarises the latest export (the workflow's stamp file).
- Whole database (`publish_all_provenance`, `labledger export-provenance --all`): `<out>/prov.json`
  and `<out>/prov.provn` with every current run and `<out>/crate/` with all their files.

Both keep `<out>/pages/<ID>.html`: one page per record that has results or stands in the lineage
of one (a batch shows the runs of every measurement of its pellets, electrodes and cells).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labledger.atomic import write_text_atomic
from labledger.config import Config
from labledger.page_manifest import PageManifest, code_fingerprint, data_key
from labledger.provenance.runs import further_inputs
from labledger.records.kinds import SAMPLE_KINDS
from labledger.records.paths import relative_path

#: Index of the incremental exports, and the state the next export starts from.
INDEX = "runs/index.json"
INDEX_FORMAT = "labledger-provenance-index/1"
#: Summary of the latest incremental export; the workflow's provenance rule declares it.
LATEST = "latest.json"
#: Beside the pages: the hash of what each page was rendered from, so an export renders only
#: the pages whose record or runs changed.
PAGE_MANIFEST = ".inputs.json"
#: Record ids per `IN (...)` query; well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500


@dataclass(frozen=True)
class Published:
    """What an export wrote. `prov_json`, `prov_n` and `crate` are None when an incremental
    export found no new runs; `pages` are the pages this export rendered or found current."""

    prov_json: Path | None
    prov_n: Path | None
    crate: Path | None
    pages: list[Path]
    n_runs: int
    skipped: list[str]  # runs left out because a file they name no longer exists
    rendered: list[Path] = field(default_factory=list)  # pages written this time


# --------------------------------------------------------------------------------------------
# Whole database
# --------------------------------------------------------------------------------------------


def publish_all_provenance(config: Config, out: Path) -> Published:
    """Export every current run's provenance under `out` (replacing an earlier such export)."""
    from labledger.db.provenance_query import all_current_runs, all_records

    runs, skipped = _with_files(
        config, all_current_runs(config.database_url, config.root, config.records_dir)
    )
    records = all_records(config.database_url, config.root, config.records_dir)
    out.mkdir(parents=True, exist_ok=True)
    prov_json, prov_n, crate = _write_documents(config, runs, out, "every current result")
    by_record = _runs_by_page(runs, None)
    pages, rendered = _write_pages(out / "pages", by_record, records, None, _report(config))
    return Published(prov_json, prov_n, crate, pages, len(runs), skipped, rendered)


# --------------------------------------------------------------------------------------------
# Incremental
# --------------------------------------------------------------------------------------------


def publish_provenance(config: Config, out: Path) -> Published:
    """Export the runs of the ingests since the previous export under `out/runs/`, and render
    again the pages of the records they touched (everything on a first export)."""
    from labledger.db.engine import make_engine
    from labledger.db.provenance_query import all_records, records_prefix, runs_where
    from labledger.db.schema import require_database

    url = config.database_url
    require_database(url)
    index_path = out / INDEX
    index = _read_index(index_path)
    prefix = records_prefix(config.root, config.records_dir)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            db = _database_state(conn)
            if index.get("database") != db["database"] or index["last_run_id"] > db["last_run_id"]:
                index = _empty_index()  # first export, or a database rebuilt since
            first = not index["exports"] and index["last_ingest_id"] == 0
            new_runs = runs_where(
                conn, "id > :after", {"after": index["last_run_id"]}, config.root, prefix
            )
            if first:
                scope = None
                page_runs = runs_where(conn, "current", {}, config.root, prefix)
            else:
                seeds = {r["record_id"] for r in new_runs}
                seeds |= _records_changed_since(conn, index["last_ingest_id"])
                seeds |= {r for (r,) in conn.exec_driver_sql("SELECT record_id FROM stale_results")}
                scope, members = _affected_pages(_references(conn), seeds)
                page_runs = _current_runs_of(conn, members, config.root, prefix)
    finally:
        engine.dispose()

    new_runs, skipped = _with_files(config, new_runs)
    page_runs, _ = _with_files(config, page_runs)
    out.mkdir(parents=True, exist_ok=True)
    prov_json = prov_n = crate = None
    entry: dict[str, Any] | None = None
    if new_runs:
        folder = out / "runs" / f"ingest-{db['last_ingest_id']}"
        tmp = folder.with_name(f".{folder.name}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        ids = sorted({r["record_id"] for r in new_runs})
        first_ingest = index["last_ingest_id"] + 1
        title = f"the runs of ingest(s) {first_ingest}-{db['last_ingest_id']}"
        _write_documents(config, new_runs, tmp, title)
        shutil.rmtree(folder, ignore_errors=True)  # an export cut short before its index entry
        tmp.rename(folder)
        prov_json, prov_n, crate = folder / "prov.json", folder / "prov.provn", folder / "crate"
        entry = {
            "folder": f"runs/{folder.name}",
            "ingests": [first_ingest, db["last_ingest_id"]],
            "runs": len(new_runs),
            "record_ids": ids,
            "skipped": skipped,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        index["exports"].append(entry)

    records = all_records(url, config.root, config.records_dir)
    pages, rendered = _write_pages(
        out / "pages", _runs_by_page(page_runs, scope), records, scope, _report(config)
    )
    index.update(
        database=db["database"],
        last_ingest_id=db["last_ingest_id"],
        last_run_id=db["last_run_id"],
    )
    _write_json(index_path, index)
    _write_json(
        out / LATEST,
        {
            "export": entry,
            "new_runs": len(new_runs),
            "pages_rendered": sorted(p.stem for p in rendered),
            "last_ingest_id": db["last_ingest_id"],
        },
    )
    return Published(prov_json, prov_n, crate, pages, len(new_runs), skipped, rendered)


def _empty_index() -> dict[str, Any]:
    return {
        "format": INDEX_FORMAT,
        "database": None,
        "last_ingest_id": 0,
        "last_run_id": 0,
        "exports": [],
    }


def _read_index(path: Path) -> dict[str, Any]:
    """The index of earlier exports; an empty one when there is none (or it is unreadable,
    in which case the next export covers every run again: nothing is lost)."""
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _empty_index()
    if not isinstance(index, dict) or index.get("format") != INDEX_FORMAT:
        return _empty_index()
    try:
        index["last_ingest_id"] = int(index["last_ingest_id"])
        index["last_run_id"] = int(index["last_run_id"])
        if not isinstance(index["exports"], list):
            raise TypeError
    except (KeyError, TypeError, ValueError):
        return _empty_index()
    return index


def _database_state(conn: Any) -> dict[str, Any]:
    """Latest ingest and run ids, and what tells this database from a rebuilt one (the time of
    its first ingest: ids start again at 1 when the database is made anew)."""
    first = conn.exec_driver_sql("SELECT started_at FROM ingest ORDER BY id LIMIT 1").scalar()
    last_ingest = conn.exec_driver_sql("SELECT MAX(id) FROM ingest").scalar()
    last_run = conn.exec_driver_sql("SELECT MAX(id) FROM analysis_run").scalar()
    return {
        "database": None if first is None else str(first),
        "last_ingest_id": int(last_ingest or 0),
        "last_run_id": int(last_run or 0),
    }


def _records_changed_since(conn: Any, ingest_id: int) -> set[str]:
    """Records added, edited, removed or restored by the ingests after `ingest_id`."""
    from sqlalchemy import text

    rows = conn.execute(
        text("SELECT id FROM record WHERE updated_ingest_id > :after"), {"after": ingest_id}
    )
    return {rid for (rid,) in rows}


def _references(conn: Any) -> list[tuple[str, str]]:
    return [
        (a, b) for a, b in conn.exec_driver_sql("SELECT record_id, target_id FROM record_reference")
    ]


def _affected_pages(
    references: Iterable[tuple[str, str]], seeds: set[str]
) -> tuple[set[str], set[str]]:
    """(pages to render again, records whose runs those pages show) when `seeds` changed.

    A page shows the runs of its record and of every record below it in the lineage, and each
    run shows its lineage. So a change of record s touches the pages of s, of every record d
    below s and of every record above such a d.
    """
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for rid, target in references:
        parents.setdefault(rid, set()).add(target)
        children.setdefault(target, set()).add(rid)

    def closure(start: str, edges: dict[str, set[str]]) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    below = set().union(*(closure(s, children) for s in seeds)) if seeds else set()
    pages = set().union(*(closure(d, parents) for d in below)) if below else set()
    members = set().union(*(closure(p, children) for p in pages)) if pages else set()
    return pages, members


def _current_runs_of(conn: Any, record_ids: set[str], root: Path, prefix: str) -> list[dict]:
    from labledger.db.provenance_query import runs_where

    ids, runs = sorted(record_ids), []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        names = [f"r{i}" for i in range(len(chunk))]
        where = f"current AND record_id IN ({', '.join(':' + n for n in names)})"
        runs += runs_where(conn, where, dict(zip(names, chunk, strict=True)), root, prefix)
    return runs


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------


def _with_files(config: Config, runs: list[dict]) -> tuple[list[dict], list[str]]:
    """(runs whose files all exist, record ids of the others): a run whose raw file was
    renamed since is stale and its files are gone, so it cannot go into a crate."""
    kept, skipped = [], []
    for run in runs:
        files = [run["record_path"], run["raw_path"], run["result_path"], run["plot_path"]]
        files += [i["path"] for i in further_inputs(run)]
        if all(f is None or (config.root / f).is_file() for f in files):
            kept.append(run)
        else:
            skipped.append(run["record_id"])
    return kept, skipped


def _write_documents(
    config: Config, runs: list[dict], out: Path, what: str
) -> tuple[Path, Path, Path]:
    """prov.json, prov.provn and crate/ of `runs` in `out`; returns their paths.

    Valid by construction: tests check the documents with `check_prov_document`, which
    round-trips them through PROV-N and costs seconds per thousand runs.
    """
    from labledger.provenance.ro_crate import write_ro_crate
    from labledger.provenance.w3c_prov import prov_document

    out.mkdir(parents=True, exist_ok=True)
    doc = prov_document(runs)  # built once for both serialisations
    prov_json, prov_n = out / "prov.json", out / "prov.provn"
    json_text = doc.serialize(format="json", indent=1)
    assert json_text is not None  # without a destination, serialize returns the text
    write_text_atomic(prov_json, json_text + "\n")
    write_text_atomic(prov_n, doc.get_provn() + "\n")
    crate = write_ro_crate(
        runs, config.root, out / "crate", name=f"labledger provenance of {what}", overwrite=True
    )
    return prov_json, prov_n, crate


def _runs_by_page(runs: list[dict], scope: set[str] | None) -> dict[str, list[dict]]:
    """Runs per page: a record's own runs and those of the records below it in the lineage."""
    by_record: dict[str, list[dict]] = {}
    for run in runs:
        for rid in [run["record_id"], *(r["id"] for r in run["lineage"])]:
            if scope is None or rid in scope:
                by_record.setdefault(rid, []).append(run)
    return by_record


def _report(config: Config) -> Path:
    """The HTML report's folder, which the provenance pages link back to."""
    return config.results_dir / "report"


def _write_pages(
    pages_dir: Path,
    by_record: dict[str, list[dict]],
    records: dict[str, dict],
    scope: set[str] | None,
    report_dir: Path | None = None,
    render: Callable[[dict, list[dict]], str] | None = None,
) -> tuple[list[Path], list[Path]]:
    """Render the pages of `by_record` whose inputs changed; with a `scope`, only the pages of
    those records are looked at (one in scope without runs is deleted), else every page. Each
    page links back to the record's page in the report at `report_dir`.
    Returns (pages looked at that exist, pages rendered)."""
    if render is None:
        from labledger.provenance.page import render_provenance_page

        render = render_provenance_page
    pages_dir.mkdir(parents=True, exist_ok=True)
    manifest = PageManifest(pages_dir / PAGE_MANIFEST, code_fingerprint(Path(__file__).parent))
    if scope is not None:
        manifest.keep(set(manifest.before) - scope)
    pages, rendered = [], []
    for rid, record_runs in sorted(by_record.items()):
        record = records.get(rid)
        if record is None:
            continue
        if report_dir is not None:
            # a measurement (not a sample) is a section of its sample's page: the nearest
            # record of its lineage
            own = next((r for r in record_runs if r["record_id"] == rid), None)
            parent = own["lineage"][0]["id"] if own and own.get("lineage") else None
            measured = record.get("kind") not in SAMPLE_KINDS and parent is not None
            sample = report_dir / "samples" / f"{parent if measured else rid}.html"
            href = relative_path(sample, pages_dir) + (f"#{rid}" if measured else "")
            record = {
                **record,
                "report_href": href,
                "report_index_href": relative_path(report_dir / "index.html", pages_dir),
            }
        key = data_key([record, record_runs])
        page = pages_dir / f"{rid}.html"
        if not manifest.is_current(rid, key, page):
            write_text_atomic(page, render(record, record_runs))
            manifest.rendered(rid, key)
            rendered.append(page)
        pages.append(page)
    for rid in manifest.dropped():
        (pages_dir / f"{rid}.html").unlink(missing_ok=True)
    manifest.save()
    return pages, rendered


def _write_json(path: Path, data: Any) -> None:
    write_text_atomic(path, json.dumps(data, sort_keys=True, indent=1) + "\n")
