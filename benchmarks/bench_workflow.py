"""Workflow benchmark: `snakemake` on N generated measurement records against bare workflows.

Prints, for each N (xrd, eis and cell records in equal parts, each with a small raw file, ten
measurements per generated batch): the wall time of a no-op run and of a one-record change for
labledger's workflow with one job per record (`workflow: {shards: 0}`) and with 64 shard jobs
per kind (`workflow: {shards: 64}`), next to two bare Snakemake workflows measured in the same
run: one trivial job per record plus one aggregate job, and 64 trivial shard jobs plus one
aggregate job. Ratios are ours / bare. Each one-record change is broken down by job from
Snakemake's own job metadata (.snakemake/metadata: start and end of every job); what remains is
Snakemake itself (start-up, DAG, scheduling, checksums of inputs).

Analysing thousands of scans would take hours, so the per-record results are copies of one real
result per kind (with the record id, input hashes and parameters of each copy), and
`snakemake --touch` records them as up to date; the one-record change then runs that record's
real analysis, the ingest, the provenance export and the report. Switching the same project to
64 shards checks every record's cache once (timed and printed as set-up).

    python benchmarks/bench_workflow.py [N ...]      (default: 1000)
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
KINDS = {"xrd": ("xrd", "XRD-003"), "eis": ("eis", "EIS-003"), "cells": ("cell", "C-012")}
#: Measurements of each kind per generated batch (and, for cells, per generated electrode).
PER_BATCH = 10
SHARDS = 64

BARE_SNAKEFILE = """
import glob
IDS = [p.split("/")[-1][:-5] for p in glob.glob("records/*.yaml")]

rule all:
    input: "results/all.done"

rule one:
    input: "records/{id}.yaml"
    output: "results/{id}.out"
    shell: "cp {input} {output}"

rule aggregate:
    input: expand("results/{id}.out", id=IDS)
    output: "results/all.done"
    shell: "cat {input} > {output}"
"""

BARE_SHARDED_SNAKEFILE = f"""
import glob, zlib
IDS = sorted(p.split("/")[-1][:-5] for p in glob.glob("records/*.yaml"))
N = {SHARDS}
SHARD = {{i: [r for r in IDS if zlib.crc32(r.encode()) % N == i] for i in range(N)}}

rule all:
    input: "results/all.done"

rule shard:
    input: lambda w: expand("records/{{id}}.yaml", id=SHARD[int(w.i)])
    output: "results/shard-{{i}}.out"
    shell: "cat {{input}} > {{output}}"

rule aggregate:
    input: expand("results/shard-{{i}}.out", i=range(N))
    output: "results/all.done"
    shell: "cat {{input}} > {{output}}"
"""


def snakemake(root: Path, *args: str) -> float:
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"snakemake failed in {root}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return time.perf_counter() - start


def timed_change(root: Path, change) -> tuple[float, dict[str, tuple[int, float]]]:  # type: ignore[no-untyped-def]
    """Apply `change`, run snakemake; (wall time, {rule: (jobs, seconds)}) of that run."""
    change()
    since = time.time()
    wall = snakemake(root)
    return wall, job_times(root, since)


def job_times(root: Path, since: float) -> dict[str, tuple[int, float]]:
    """Jobs that started after `since`, per rule: (count, summed seconds), from the job
    metadata Snakemake keeps per output file (one file per output: a job counted once)."""
    seen: dict[tuple[str, object], float] = {}
    for path in (root / ".snakemake" / "metadata").iterdir():
        try:
            meta = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        start, end = meta.get("starttime"), meta.get("endtime")
        if start is None or end is None or start < since:
            continue
        seen[(meta["rule"], meta.get("job_hash", start))] = end - start
    out: dict[str, tuple[int, float]] = {}
    for (rule, _), seconds in seen.items():
        n, total = out.get(rule, (0, 0.0))
        out[rule] = (n + 1, total + seconds)
    return out


def labledger(root: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "labledger", *args], cwd=root, check=True, capture_output=True
    )


def _write_lineage(records: Path, n_groups: int) -> None:
    """One batch and one electrode (on that batch) per group of PER_BATCH measurements."""
    batch = yaml.safe_load((REPO / "records" / "batches" / "B-003.yaml").read_text())
    electrode = yaml.safe_load((REPO / "records" / "electrodes" / "E-003.yaml").read_text())
    for g in range(n_groups):
        bid, eid = f"B-G{g:04d}", f"E-G{g:04d}"
        (records / "batches" / f"{bid}.yaml").write_text(
            yaml.safe_dump(dict(batch, id=bid), sort_keys=False)
        )
        (records / "electrodes" / f"{eid}.yaml").write_text(
            yaml.safe_dump(dict(electrode, id=eid, batch=bid), sort_keys=False)
        )


def make_project(root: Path, n: int, templates: Path) -> None:
    """Records, copied results and a first real run of the workflow (one job per record)."""
    from labledger.analyses import prepare
    from labledger.config import load_config

    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("workflow", "schema", "profiles"):
        shutil.copytree(REPO / name, root / name)
    records = root / "records"
    for folder in ("batches", "electrodes"):
        shutil.copytree(REPO / "records" / folder, records / folder)
    per_kind = n // len(KINDS)
    _write_lineage(records, (per_kind + PER_BATCH - 1) // PER_BATCH)
    labledger(root, "xrd", "references", "--out", "results/references/xrd_patterns.json")
    config = load_config(root / "config.yaml")
    for folder, (_kind, template_id) in KINDS.items():
        template = yaml.safe_load((REPO / "records" / folder / f"{template_id}.yaml").read_text())
        raw_src = (REPO / "records" / folder / template["raw_file"]).resolve()
        raw_sha = hashlib.sha256(raw_src.read_bytes()).hexdigest()
        envelope = json.loads((templates / folder / f"{template_id}.json").read_text())
        svg = (templates / folder / f"{template_id}.svg").read_bytes()
        (records / folder).mkdir(parents=True, exist_ok=True)
        (records / "raw" / folder).mkdir(parents=True, exist_ok=True)
        (root / "results" / folder).mkdir(parents=True, exist_ok=True)
        params = None
        for i in range(per_kind):
            rid = f"{template_id.split('-')[0]}-{i:05d}"
            raw_name = f"{rid}{raw_src.suffix}"
            shutil.copy(raw_src, records / "raw" / folder / raw_name)
            group = i // PER_BATCH
            lineage = (
                {"working_electrode": f"E-G{group:04d}"}
                if folder == "cells"
                else {"sample": f"B-G{group:04d}"}
            )
            record = dict(template, id=rid, raw_file=f"../raw/{folder}/{raw_name}", **lineage)
            text = yaml.safe_dump(record, sort_keys=False)
            (records / folder / f"{rid}.yaml").write_text(text)
            if params is None:  # what the analysis would use here: the same for every copy
                job = prepare(config, rid)
                params = job.analysis.params(job.loaded.record, config)
            env = dict(
                envelope,
                record_id=rid,
                params=params,
                inputs=[
                    {
                        "role": "record",
                        "path": f"records/{folder}/{rid}.yaml",
                        "sha256": hashlib.sha256(text.encode()).hexdigest(),
                    },
                    {"role": "raw", "path": f"records/raw/{folder}/{raw_name}", "sha256": raw_sha},
                ],
                outputs=[
                    {
                        "role": "plot",
                        "path": f"results/{folder}/{rid}.svg",
                        "media_type": "image/svg+xml",
                    }
                ],
            )
            (root / "results" / folder / f"{rid}.json").write_text(json.dumps(env))
            (root / "results" / folder / f"{rid}.svg").write_bytes(svg)
    snakemake(root, "--touch")  # marks the copied results up to date
    snakemake(root)  # ingest, provenance export and report run for real once


def make_bare(root: Path, n: int, snakefile: str) -> None:
    (root / "records").mkdir(parents=True)
    for i in range(n):
        (root / "records" / f"R-{i:05d}.yaml").write_text(f"id: R-{i:05d}\nvalue: {i}\n")
    (root / "Snakefile").write_text(snakefile)
    # The same scheduler settings as labledger's default workflow profile: with Snakemake's
    # default ILP scheduler a first run of 10,000 trivial jobs takes hours on 2 cores.
    profile = root / "profiles" / "default"
    profile.mkdir(parents=True)
    shutil.copy(REPO / "profiles" / "default" / "config.yaml", profile)
    snakemake(root)


def _edit(path: Path, old: str, new: str):  # type: ignore[no-untyped-def]
    def change() -> None:
        text = path.read_text()
        assert old in text, (path, old)
        path.write_text(text.replace(old, new))

    return change


def _breakdown(jobs: dict[str, tuple[int, float]], wall: float) -> str:
    parts = [
        f"{rule} {sec:.2f} s" + (f" ({n} jobs)" if n > 1 else "")
        for rule, (n, sec) in sorted(jobs.items(), key=lambda kv: -kv[1][1])
        if rule != "all"
    ]
    # jobs on 2 cores may overlap, so "Snakemake itself" is a lower bound
    rest = max(0.0, wall - sum(sec for rule, (_, sec) in jobs.items() if rule != "all"))
    return "; ".join(parts) + f"; Snakemake itself >= {rest:.2f} s"


def measure(n: int, templates: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ours, bare, bare_sharded = Path(tmp, "ours"), Path(tmp, "bare"), Path(tmp, "sharded")
        ours.mkdir()
        t0 = time.perf_counter()
        make_project(ours, n, templates)
        setup_ours = time.perf_counter() - t0
        make_bare(bare, n, BARE_SNAKEFILE)
        make_bare(bare_sharded, n, BARE_SHARDED_SNAKEFILE)
        setup = time.perf_counter() - t0

        rows = []
        noop = snakemake(ours)
        change, jobs = timed_change(
            ours,
            _edit(ours / "records/xrd/XRD-00007.yaml", "Bruker D8 Advance", "Bruker D8 Discover"),
        )
        rows.append(("per-record", noop, change, jobs))

        config = ours / "config.yaml"
        config.write_text(config.read_text() + f"workflow:\n  shards: {SHARDS}\n")
        switch = snakemake(ours)  # every record's cache checked once; nothing re-analysed
        noop = snakemake(ours)
        change, jobs = timed_change(
            ours,
            _edit(ours / "records/xrd/XRD-00008.yaml", "Bruker D8 Advance", "Bruker D8 Discover"),
        )
        rows.append((f"{SHARDS} shards", noop, change, jobs))

        bare_noop = snakemake(bare)
        bare_change, _ = timed_change(
            bare, _edit(bare / "records/R-00007.yaml", "value: 7", "value: -7")
        )
        sharded_noop = snakemake(bare_sharded)
        sharded_change, _ = timed_change(
            bare_sharded, _edit(bare_sharded / "records/R-00008.yaml", "value: 8", "value: -8")
        )

        print(
            f"records: {n} (set-up {setup:.0f} s, of which ours {setup_ours:.0f} s; "
            f"switching ours to {SHARDS} shards, a cache check of every record: {switch:.1f} s)"
        )
        print(
            f"  bare, one job per record:   no-op {bare_noop:6.2f} s   change {bare_change:6.2f} s"
        )
        print(
            f"  bare, {SHARDS} shard jobs:       no-op {sharded_noop:6.2f} s   "
            f"change {sharded_change:6.2f} s"
        )
        for mode, noop, change, jobs in rows:
            ref_noop, ref_change = (
                (bare_noop, bare_change) if mode == "per-record" else (sharded_noop, sharded_change)
            )
            print(
                f"  labledger {mode:<11} no-op {noop:6.2f} s ({noop / ref_noop:4.2f}x bare)   "
                f"change {change:6.2f} s ({change / ref_change:4.2f}x bare; aim < 5 s at 10,000)"
            )
            print(f"      change by job: {_breakdown(jobs, change)}")


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # one real result per kind, from the demo records
        root = Path(tmp)
        shutil.copy(REPO / "config.yaml", root / "config.yaml")
        shutil.copytree(REPO / "records", root / "records")
        for _, (_, template_id) in KINDS.items():
            labledger(root, "analyze", template_id)
        for n in sizes:
            measure(n, root / "results")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
