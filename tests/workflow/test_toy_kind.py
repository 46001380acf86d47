"""A lab's own analysed kind, declared in one module (tests/support/toy_kind.py) and named in
$LABLEDGER_KINDS, gets its workflow rule, result table, view and report section."""

from __future__ import annotations

import os
from pathlib import Path

from support.databases import rows
from workflow.test_snakefile import database_url, make_copy, snakemake

TESTS = Path(__file__).resolve().parents[1]


def test_a_kind_declared_in_one_module_is_analysed_loaded_and_reported(tmp_path: Path) -> None:
    root = make_copy(tmp_path, {"cells": set(), "xrd": set(), "eis": set()})
    path = os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))
    first = snakemake(root, env={"PYTHONPATH": path})  # a database from before the kind
    assert first.returncode == 0, first.stdout + first.stderr
    (root / "records" / "toy").mkdir()
    (root / "records" / "toy" / "TOY-001.yaml").write_text(
        "id: TOY-001\nkind: toy\ndate: 2026-01-05\nsample: B-003\n"
        "raw_file: ../raw/toy/TOY-001.txt\n"
    )
    (root / "records" / "raw" / "toy").mkdir(parents=True)
    (root / "records" / "raw" / "toy" / "TOY-001.txt").write_text("1.5\n2.0\n2.5\n")
    # without its module named, the record is of an unknown kind: the run says so and stops
    bare = snakemake(root, env={"PYTHONPATH": path})
    assert bare.returncode != 0
    assert "records/toy/TOY-001.yaml:2:1: kind: unknown kind 'toy'" in bare.stdout
    assert "$LABLEDGER_KINDS" in bare.stdout
    env = {"LABLEDGER_KINDS": "support.toy_kind", "PYTHONPATH": path}

    run = snakemake(root, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "toy_analysis" in run.stdout + run.stderr  # its rule, from the registry
    url = database_url(root)
    assert rows(url, "SELECT toy_id, n_values, mean_value FROM toy_result") == [("TOY-001", 3, 2.0)]
    assert rows(url, "SELECT toy_id, sample, mean_value FROM toy_figures") == [
        ("TOY-001", "B-003", 2.0)
    ]
    page = (root / "results" / "report" / "samples" / "B-003.html").read_text()
    assert '<h2 id="toy">Toy means</h2>' in page
    assert "TOY-001: mean 2.0 of 3" in page
    # its provenance page sends the reader to its section of the sample's page
    provenance = (root / "results" / "provenance" / "pages" / "TOY-001.html").read_text()
    assert 'samples/B-003.html#TOY-001"' in provenance
    report = snakemake(root, "--report", str(tmp_path / "report.zip"), env=env)
    assert report.returncode == 0, report.stdout + report.stderr  # no caption of its own
