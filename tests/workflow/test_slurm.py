"""The workflow through a real Slurm (workflow/profiles/slurm, PostgreSQL) fills the database a
local run (SQLite) fills: scripts/slurm_compare.py on a part of the demo records.

Runs where a Slurm answers (`sinfo`) with a node up in the profile's partition and a PostgreSQL
server is set up for the tests; scripts/slurm-single-node starts such a Slurm on this machine
(.ci/run does, where it can)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support.databases import backend, postgres_database, postgres_url_or_skip

REPO = Path(__file__).resolve().parents[2]
PROFILE = REPO / "workflow" / "profiles" / "slurm" / "config.yaml"

#: Measurements the runs keep (the others are deleted in both clones): every job kind of the
#: workflow, a half cell and an anode-free cell, a scan, and pellet spectra of B-003 at two
#: temperatures (an Arrhenius fit) and an electrode's. About 2 minutes on a 2-core machine.
MEASUREMENTS = "C-001,C-012,XRD-003,EIS-003,EIS-011,EIS-014"


def slurm_partition_or_skip() -> str:
    """The profile's partition, when a Slurm answers, has a node up in it and runs a trivial job
    there; else skip (a Slurm that cannot start is no failure of the workflow)."""
    partition = yaml.safe_load(PROFILE.read_text())["default-resources"]["slurm_partition"]
    if shutil.which("sinfo") is None:
        pytest.skip("no Slurm here: sinfo is not installed (scripts/slurm-single-node sets one up)")
    try:
        answer = subprocess.run(
            ["sinfo", "-h", "-p", partition, "-t", "idle,mix,alloc", "-o", "%n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("no Slurm answers: sinfo timed out")
    if answer.returncode != 0:
        pytest.skip(f"no Slurm answers: sinfo: {answer.stderr.strip() or answer.returncode}")
    if not answer.stdout.strip():
        pytest.skip(f"Slurm has no node up in partition {partition} (the profile's partition)")
    try:
        job = subprocess.run(
            ["srun", "-p", partition, "-N", "1", "-n", "1", "-t", "1", "--mem=100", "true"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"Slurm did not run `srun true` in partition {partition} within 120 s")
    if job.returncode != 0:
        pytest.skip(
            f"Slurm does not run `srun true` in partition {partition}: {job.stderr.strip()}"
        )
    return partition


def test_slurm_run_fills_the_database_a_local_run_fills() -> None:
    if backend() == "postgresql":
        pytest.skip("compares a PostgreSQL run with a SQLite run itself: runs in the SQLite pass")
    slurm_partition_or_skip()
    postgres_url_or_skip()
    with postgres_database("slurm") as url:
        run = subprocess.run(
            [
                sys.executable,
                str(REPO / "scripts" / "slurm_compare.py"),
                "--database-url",
                url,
                "--measurements",
                MEASUREMENTS,
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "labledger-slurm: PASS" in run.stdout, out
    assert "  same  cell_figures: 2 rows" in run.stdout, out
