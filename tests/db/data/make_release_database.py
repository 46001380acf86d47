"""Write tests/db/data/release-0.1.0.json: every table of a database made by labledger 0.1.0.

Runs the released code itself (`git archive f867ab6 src records`, PYTHONPATH pointing there,
this venv's python) on its own demo records, in three ingests so the history has every kind of
change, with two analysis results (one of them analysed twice, so one run is no longer current):

1. C-014 with an edited `operator`; results of EIS-001 (first run) and C-001.
2. C-014 as released (modified), C-013 deleted (removed), EIS-001 analysed again.
3. C-013 back (restored). The records are now exactly the released demo records.

Then every table is dumped, rows sorted, with each column's declared SQL type and the primary
key; the views as their CREATE VIEW statements.
Values that depend on the machine or the clock are replaced by fixed ones, so running the script
twice writes the same file: ingest times (`ingest.started_at`/`finished_at`,
`record_revision.ingested_at`), `ingest.user`/`host`, the temporary folder in paths, and the
run times, user and host inside the result files. Every file's modification time is set to
1 s after 1970 before the ingests: labledger 0.1.0 stored `raw_file.mtime_ns` as INTEGER, which
on PostgreSQL holds only up to 2**31 - 1, so only such a database could exist there.

Usage (from the repository root): .venv/bin/python tests/db/data/make_release_database.py
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

RELEASE_COMMIT = "f867ab6"
REPO = Path(__file__).resolve().parents[3]
OUT = Path(__file__).with_name("release-0.1.0.json")
MTIME_NS = 1_000_000_000
TIMES = {1: "2025-03-03 09:00:00.000000", 2: "2025-03-10 09:00:00.000000",
         3: "2025-03-17 09:00:00.000000"}  # fmt: skip
USER, HOST, FOLDER = "labtech", "lab-pc", "/lab"
#: (result folder, record id, run number) analysed before each ingest
ANALYSES = {1: [("eis", "EIS-001", 1), ("cells", "C-001", 1)], 2: [("eis", "EIS-001", 2)], 3: []}


def extract(dest: Path) -> None:
    """The released src/ and records/ into `dest`."""
    tar = subprocess.run(
        ["git", "-C", str(REPO), "archive", RELEASE_COMMIT, "src", "records"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(dest, filter="data")


def old_labledger(root: Path, *args: str) -> None:
    """Run the released `labledger ARGS` in `root` on its SQLite default database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABLEDGER_")}
    env["PYTHONPATH"] = str(root / "src")
    code = "import sys; from labledger.cli import main; sys.argv[0] = 'labledger'; main()"
    subprocess.run([sys.executable, "-c", code, *args], cwd=root, env=env, check=True)


def fix_mtimes(root: Path) -> None:
    for path in (root / "records").rglob("*"):
        if path.is_file():
            os.utime(path, ns=(MTIME_NS, MTIME_NS))


def analyse(root: Path, folder: str, rid: str, run: int) -> None:
    """Analyse one record with the released code; fixed provenance times, user and host."""
    out = root / "results" / folder / f"{rid}.json"
    old_labledger(root, "analyze", rid, "--out", str(out.relative_to(root)))
    env = json.loads(out.read_text(encoding="utf-8").replace(str(root), FOLDER))
    prov = env["provenance"]
    prov.update(user=USER, host=HOST, started_at=f"2025-03-0{run}T08:00:00.000+00:00")
    prov["finished_at"] = f"2025-03-0{run}T08:00:01.000+00:00"
    out.write_text(json.dumps(env, indent=1) + "\n", encoding="utf-8")


def build(root: Path) -> None:
    (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
    c013 = root / "records" / "cells" / "C-013.yaml"
    c014 = root / "records" / "cells" / "C-014.yaml"
    released_c013, released_c014 = c013.read_text(), c014.read_text()
    for number in (1, 2, 3):
        if number == 1:
            c014.write_text(released_c014.replace("operator: R. Patel", "operator: R Patel"))
        elif number == 2:
            c014.write_text(released_c014)
            c013.unlink()
        else:
            c013.write_text(released_c013)
        for folder, rid, run in ANALYSES[number]:
            analyse(root, folder, rid, run)
        fix_mtimes(root)
        old_labledger(root, "ingest")


def normalise(table: str, row: dict, root: Path, times: dict[int, str]) -> dict:
    out = {}
    for column, value in row.items():
        if isinstance(value, str):
            value = value.replace(str(root), FOLDER)
        out[column] = value
    if table == "ingest":
        out.update(started_at=times[row["id"]], finished_at=times[row["id"]], user=USER, host=HOST)
    elif table == "record_revision":
        out["ingested_at"] = times[row["ingest_id"]]
    return out


def dump(root: Path) -> dict:
    conn = sqlite3.connect(root / "results" / "labledger.db")
    conn.row_factory = sqlite3.Row
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        ingest_ids = [r[0] for r in conn.execute("SELECT id FROM ingest ORDER BY id")]
        times = {i: TIMES[n] for n, i in enumerate(ingest_ids, start=1)}
        tables = {}
        for name in names:
            info = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
            columns = [c["name"] for c in info]
            rows = [
                normalise(name, dict(r), root, times)
                for r in conn.execute(f'SELECT * FROM "{name}"')
            ]
            listed = sorted(
                ([r[c] for c in columns] for r in rows), key=lambda r: json.dumps(r, default=str)
            )
            tables[name] = {
                "columns": columns,
                "types": [c["type"] for c in info],
                "primary_key": [c["name"] for c in sorted(info, key=lambda c: c["pk"]) if c["pk"]],
                "rows": listed,
            }
        views = {
            r[0]: r[1]
            for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'")
        }
    finally:
        conn.close()
    results = {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted((root / "results").rglob("*.json"))
    }
    return {
        "generated_by": "tests/db/data/make_release_database.py (do not edit by hand)",
        "release_commit": RELEASE_COMMIT,
        "labledger_version": "0.1.0",
        "mtime_ns_of_every_file": MTIME_NS,
        "result_files": results,
        "tables": tables,
        "views": views,
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="labledger-release-") as tmp:
        root = Path(tmp)
        extract(root)
        build(root)
        data = dump(root)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    counts = ", ".join(f"{n} {len(t['rows'])}" for n, t in data["tables"].items())
    print(f"wrote {OUT.relative_to(REPO)}: {counts}")


if __name__ == "__main__":
    main()
