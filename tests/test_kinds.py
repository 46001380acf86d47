"""The registry of analysed kinds: what it declares is what the analyses and the workflow use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from labledger.kinds import analysed_kinds
from labledger.records.kinds import KINDS as RECORD_KINDS

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.no_database


def test_each_kind_has_its_records_its_analysis_and_its_report_caption() -> None:
    for name, kind in analysed_kinds().items():
        assert name in RECORD_KINDS  # its records validate as that kind
        assert (REPO / "records" / kind.folder).is_dir()  # the demo records hold some
        assert callable(kind.load_analysis().run)  # the entry point it names exists
        assert (REPO / "workflow" / "report" / f"{name}.rst").is_file()  # --report caption


def test_the_workflow_has_one_rule_per_registered_kind() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "snakemake", "--list-rules"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    rules = {k.rule for k in analysed_kinds().values()}
    assert rules <= set(listed)
    # the other rules: references, shards, the publish job and the target
    assert set(listed) - rules == {"all", "xrd_references", "analysis_shard", "publish"}
