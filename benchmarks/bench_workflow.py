"""Workflow benchmark: `snakemake` on N generated measurement records against a bare workflow.

Prints, for N records (xrd, eis and cell records in equal parts, each with a small raw file):
the wall time of a no-op run and of a one-record change, for labledger's workflow and for a
bare Snakemake workflow with the same number of trivial per-record jobs and one aggregate job,
measured in the same run, and their ratio.

Analysing thousands of scans would take hours, so the per-record results are copies of one real
result per kind (with the record id changed) and `snakemake --touch` records them as up to date;
the one-record change then runs that record's real analysis, the ingest and the provenance
export.

    python benchmarks/bench_workflow.py [N ...]      (default: 1000; the set-up of 10000 takes
                                                      about half an hour on 2 cores)
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


def labledger(root: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "labledger", *args], cwd=root, check=True, capture_output=True
    )


def make_project(root: Path, n: int, templates: Path) -> None:
    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("workflow", "schema", "profiles"):
        shutil.copytree(REPO / name, root / name)
    records = root / "records"
    for folder in ("batches", "electrodes"):
        shutil.copytree(REPO / "records" / folder, records / folder)
    per_kind = n // len(KINDS)
    for folder, (_kind, template_id) in KINDS.items():
        template = yaml.safe_load((REPO / "records" / folder / f"{template_id}.yaml").read_text())
        raw_src = (REPO / "records" / folder / template["raw_file"]).resolve()
        raw_sha = hashlib.sha256(raw_src.read_bytes()).hexdigest()
        envelope = json.loads((templates / folder / f"{template_id}.json").read_text())
        svg = (templates / folder / f"{template_id}.svg").read_bytes()
        (records / folder).mkdir(parents=True, exist_ok=True)
        (records / "raw" / folder).mkdir(parents=True, exist_ok=True)
        (root / "results" / folder).mkdir(parents=True, exist_ok=True)
        for i in range(per_kind):
            rid = f"{template_id.split('-')[0]}-{i:05d}"
            raw_name = f"{rid}{raw_src.suffix}"
            shutil.copy(raw_src, records / "raw" / folder / raw_name)
            record = dict(template, id=rid, raw_file=f"../raw/{folder}/{raw_name}")
            text = yaml.safe_dump(record, sort_keys=False)
            (records / folder / f"{rid}.yaml").write_text(text)
            env = dict(
                envelope,
                record_id=rid,
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
    labledger(root, "xrd", "references", "--out", "results/references/xrd_patterns.json")
    snakemake(root, "--touch")  # marks the copied results up to date
    snakemake(root)  # check, ingest and provenance export run for real once


def make_bare(root: Path, n: int) -> None:
    (root / "records").mkdir(parents=True)
    for i in range(n):
        (root / "records" / f"R-{i:05d}.yaml").write_text(f"id: R-{i:05d}\nvalue: {i}\n")
    (root / "Snakefile").write_text(BARE_SNAKEFILE)
    # The same scheduler settings as labledger's default workflow profile: with Snakemake's
    # default ILP scheduler a first run of 10,000 trivial jobs takes hours on 2 cores.
    profile = root / "profiles" / "default"
    profile.mkdir(parents=True)
    shutil.copy(REPO / "profiles" / "default" / "config.yaml", profile)
    snakemake(root)


def measure(n: int, templates: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ours, bare = Path(tmp, "ours"), Path(tmp, "bare")
        ours.mkdir()
        t0 = time.perf_counter()
        make_project(ours, n, templates)
        make_bare(bare, n)
        setup = time.perf_counter() - t0
        noop_ours = snakemake(ours)
        noop_bare = snakemake(bare)
        record = ours / "records" / "xrd" / "XRD-00007.yaml"
        record.write_text(record.read_text().replace("Bruker D8 Advance", "Bruker D8 Discover"))
        change_ours = snakemake(ours)
        (bare / "records" / "R-00007.yaml").write_text("id: R-00007\nvalue: -1\n")
        change_bare = snakemake(bare)
        print(f"records: {n} (set-up {setup:.0f} s)")
        print(
            f"  no-op run          labledger {noop_ours:6.2f} s   bare {noop_bare:6.2f} s"
            f"   ratio {noop_ours / noop_bare:4.2f} (target <= 1.5)"
        )
        print(
            f"  one-record change  labledger {change_ours:6.2f} s   bare {change_bare:6.2f} s"
            f"   ratio {change_ours / change_bare:4.2f} (aim: < 5 s at 10,000)"
        )


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
