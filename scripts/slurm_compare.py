"""The workflow through the Slurm profile (PostgreSQL) gives what a local run (SQLite) gives.

    .venv/bin/python scripts/slurm_compare.py --database-url postgresql+psycopg://.../empty_db

Clones the repository (its HEAD: Snakefile, workflow/, config.yaml, the demo records) twice into
a new folder in .snakemake/ (beside the project, so on a cluster on the file system the nodes
share; removed after a pass, kept after a failure). Both use this checkout's .venv by path: a
Slurm job runs the interpreter that started Snakemake, as on a cluster with the project and its
.venv on a shared file system. One clone runs `snakemake --cores 2` with the default SQLite
database, the other, at the same time, `snakemake --profile workflow/profiles/slurm` with
LABLEDGER_DATABASE_URL set to the given (empty) PostgreSQL database, every job a Slurm job. Then
the two databases are compared: the records and their revisions, the analysis runs, the result
tables and the views with the per-record figures, leaving out what legitimately differs (run and
ingest ids, times, hosts, file times). Prints each comparison and PASS, or FAIL (exit 1).

Needs a Slurm that accepts jobs on the default partition of the profile (scripts/slurm-single-node
sets one up on this machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
#: Environment variables that point labledger at a database or config file.
LABLEDGER_SETTINGS = ("LABLEDGER_DATABASE_URL", "LABLEDGER_CONFIG", "LABLEDGER_CONFIG_VALUES")

#: Columns that differ between two runs of the same inputs: ids given out in run order, times,
#: who and where, file times, the result file's hash (it holds its provenance and times; the
#: hash of the result itself, result_content_sha256, is compared).
VARYING = {
    "id",
    "run_id",
    "ingest_id",
    "updated_ingest_id",
    "started_at",
    "finished_at",
    "ingested_at",
    "host",
    "user",
    "mtime_ns",
    "result_sha256",
}

#: What is compared: name -> SQL. Rows are compared as sorted sets (less VARYING columns).
COMPARED = {
    # the records and every revision, with the git commit and blob they were read from
    "record": "SELECT * FROM record",
    "record_revision": "SELECT * FROM record_revision",
    "record_reference": "SELECT * FROM record_reference",
    "raw_file": "SELECT * FROM raw_file",
    # one analysis per record: version, inputs' hashes, parameters, the result's own hash
    "analysis_run": "SELECT * FROM analysis_run",
    # the result tables the ingest fills from the result files
    "cell_result": "SELECT * FROM cell_result",
    "cell_cycle": "SELECT * FROM cell_cycle",
    "eis_result": "SELECT * FROM eis_result",
    "eis_arc": "SELECT * FROM eis_arc",
    "arrhenius_fit": "SELECT * FROM arrhenius_fit",
    "xrd_result": "SELECT * FROM xrd_result",
    "xrd_phase": "SELECT * FROM xrd_phase",
    # the views with the per-record and per-batch figures
    "batch_synthesis": "SELECT * FROM batch_synthesis",
    "lineage": "SELECT * FROM lineage",
    "measurements": "SELECT * FROM measurements",
    "xrd_figures": "SELECT * FROM xrd_figures",
    "eis_figures": "SELECT * FROM eis_figures",
    "cell_figures": "SELECT * FROM cell_figures",
    "stale_results": "SELECT * FROM stale_results",
}

#: Tables that must not be empty after a run of the demo records (a comparison of two empty
#: results would pass for nothing).
NOT_EMPTY = {"record", "analysis_run", "cell_figures", "xrd_figures", "eis_figures"}


def comparable(value: object) -> object:
    """A value as both backends must give it: booleans as 0/1 (SQLite has no boolean type),
    numbers as floats to 12 significant digits (PostgreSQL and SQLite may add a mean in another
    order, and SQLite gives an integer 0 where PostgreSQL gives 0.0), dates and times as ISO
    text (a date type on PostgreSQL, text on SQLite)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(f"{value:.12g}")
    return value


def database_url(project: Path) -> str:
    """The database the workflow of `project` wrote without LABLEDGER_DATABASE_URL (SQLite in
    its results folder unless its config.yaml names another)."""
    from labledger.config import load_config

    saved = {k: os.environ.pop(k) for k in LABLEDGER_SETTINGS if k in os.environ}
    try:
        return load_config(project / "config.yaml").database_url
    finally:
        os.environ.update(saved)


def query(url: str, sql: str) -> list[dict[str, object]]:
    """The rows of a read-only query, as `labledger sql --json` gives them."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(sql))
            return [dict(row._mapping) for row in result]
    except Exception as err:
        raise RuntimeError(f"{sql!r}: {err}") from err
    finally:
        engine.dispose()


def run_inputs(text: object) -> object:
    """analysis_run.inputs_json less the hashes of result files among the inputs (an Arrhenius
    fit reads its spectra's result files, whose hash varies as result_sha256 does)."""
    if not isinstance(text, str):
        return text
    inputs = json.loads(text)
    for i in inputs:
        if str(i.get("role", "")).endswith("_result"):
            i["sha256"] = "(varies)"
    return json.dumps(inputs, sort_keys=True)


def normalised(rows: list[dict[str, object]]) -> list[str]:
    kept = [
        {k: comparable(run_inputs(v) if k == "inputs_json" else v) for k, v in row.items()}
        for row in rows
    ]
    kept = [{k: v for k, v in row.items() if k not in VARYING} for row in kept]
    return sorted(json.dumps(row, sort_keys=True) for row in kept)


def clone(target: Path, measurements: set[str] | None) -> None:
    """A clone of the repository; with `measurements`, the cell, EIS and XRD records not named
    are deleted (in both clones alike) to keep the runs short."""
    subprocess.run(["git", "clone", "-q", str(REPO), str(target)], check=True)
    if measurements is None:
        return
    for folder in ("cells", "eis", "xrd"):
        for path in (target / "records" / folder).glob("*.yaml"):
            if path.stem not in measurements:
                path.unlink()


def start(project: Path, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        [str(PYTHON), "-m", "snakemake", *args],
        cwd=project,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
    )


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def run_both(work: Path, args: argparse.Namespace) -> bool:
    """Clone twice and run the workflow locally and through Slurm, at the same time; True when
    both runs succeed."""
    local, slurm = work / "local", work / "slurm"
    keep = set(args.measurements.split(",")) if args.measurements else None
    for target in (local, slurm):
        clone(target, keep)
    # the runs use their clone's config.yaml, whatever this shell points labledger at
    base = {k: v for k, v in os.environ.items() if k not in LABLEDGER_SETTINGS}
    slurm_env = {**base, "LABLEDGER_DATABASE_URL": args.database_url}
    # The profile as a site uses it; only what a single test node needs is added here: its
    # Slurm has no accounting, so job states come from squeue (sacct has nothing), and job
    # states are asked for after 2 s and every 2 s (a site's default, 40 s and then every
    # 10 s, spares its scheduler; one idle test node needs no sparing).
    slurm_args = [
        "--profile",
        "workflow/profiles/slurm",
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--seconds-between-status-checks",
        "2",
    ]
    records = "the demo records" + (f" (measurements {args.measurements})" if keep else "")
    print(f"labledger-slurm: clones of {REPO} (HEAD) in {work}, {records}")
    print("labledger-slurm: local run:  snakemake --cores 2 (SQLite)")
    print(f"labledger-slurm: Slurm run:  snakemake {' '.join(slurm_args)} (PostgreSQL)")
    began = time.monotonic()
    runs = {
        "local": (start(local, ["--cores", "2"], base, work / "local.log"), work / "local.log"),
        "Slurm": (start(slurm, slurm_args, slurm_env, work / "slurm.log"), work / "slurm.log"),
    }
    ok = True
    for name, (process, log) in runs.items():
        try:
            code = process.wait(timeout=max(1, args.timeout - (time.monotonic() - began)))
        except subprocess.TimeoutExpired:
            process.terminate()  # Snakemake cancels its Slurm jobs
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            code = f"timeout after {args.timeout} s"
        if code != 0:
            ok = False
            print(f"labledger-slurm: the {name} run failed ({code}); {log}:\n{tail(log)}")
    print(f"labledger-slurm: both runs finished in {time.monotonic() - began:.0f} s")
    return ok


def differences(work: Path, slurm_url: str) -> list[str]:
    """What differs between the local run's database and the Slurm run's, printed as found."""
    found = []
    submitted = len(
        re.findall(r"submitted with SLURM jobid", (work / "slurm.log").read_text(errors="replace"))
    )
    print(f"labledger-slurm: Slurm jobs submitted by the Slurm run: {submitted}")
    if submitted == 0:
        found.append("the Slurm run submitted no Slurm job")
    local_url = database_url(work / "local")
    for name, sql in COMPARED.items():
        try:
            a = normalised(query(local_url, sql))
            b = normalised(query(slurm_url, sql))
        except RuntimeError as err:
            found.append(f"{name}: {err}")
            print(f"  ERROR {name}: {err}")
            continue
        if a == b and (a or name not in NOT_EMPTY):
            print(f"  same  {name}: {len(a)} rows")
            continue
        if not a and not b:
            why = "no rows in either database"
        else:
            in_a, in_b = set(a), set(b)
            only_local = [r for r in a if r not in in_b]
            only_slurm = [r for r in b if r not in in_a]
            why = (
                f"{len(a)} rows local, {len(b)} rows Slurm; "
                f"{len(only_local)} only local, {len(only_slurm)} only Slurm"
            )
            if only_local and only_slurm:  # the first of each, most likely the same row
                first_a, first_b = json.loads(only_local[0]), json.loads(only_slurm[0])
                changed = {
                    k: f"{first_a.get(k)!r} local, {first_b.get(k)!r} Slurm"
                    for k in sorted(first_a.keys() | first_b.keys())
                    if first_a.get(k) != first_b.get(k)
                }
                why += f"\n        first such row differs in {changed}"
            for label, extra in (("local", only_local), ("Slurm", only_slurm)):
                for row in extra[:2]:
                    why += f"\n        only {label}: {row[:300]}"
        found.append(f"{name}: {why}")
        print(f"  DIFF  {name}: {why}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="folder for the clones, seen by the Slurm nodes (default: a new one in .snakemake/)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the clones and their logs")
    parser.add_argument(
        "--measurements",
        help="comma-separated cell, EIS and XRD record ids to keep (default: all demo records)",
    )
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per run")
    parser.add_argument(
        "--compare-only",
        action="store_true",
        help="compare the databases of an earlier run in --workdir without running again",
    )
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL (the shared database of a cluster)")
    if args.compare_only and not args.workdir:
        parser.error("--compare-only needs the --workdir of the earlier run")

    # beside the project (on a cluster: the shared file system the nodes see), not in /tmp
    scratch = REPO / ".snakemake"
    scratch.mkdir(exist_ok=True)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="slurm-compare-", dir=scratch))
    work.mkdir(parents=True, exist_ok=True)
    passed = False
    try:
        if not args.compare_only and not run_both(work, args):
            print(f"labledger-slurm: FAIL (a run failed); clones kept in {work}")
            return 1
        found = differences(work, args.database_url)
        if found:
            print(f"labledger-slurm: FAIL ({len(found)} differences); clones kept in {work}")
            return 1
        passed = True
        print(
            f"labledger-slurm: PASS: {len(COMPARED)} tables and views are the same in the Slurm "
            "run's PostgreSQL database and the local run's SQLite database"
        )
        return 0
    finally:
        if passed and not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
