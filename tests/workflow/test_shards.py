"""`workflow: {shards: N}`: N jobs per kind that reuse every result whose inputs are unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from labledger.workflow_support import shard_members, shard_of
from support.databases import rows
from workflow.test_snakefile import database_url, make_copy, snakemake

#: Two scans and two spectra in shard 1 of 2 (crc32), so one changes while the other stays;
#: EIS-014 names its own circuit, EIS-003 uses config.yaml's default.
KEEP = {"cells": {"C-012"}, "xrd": {"XRD-002", "XRD-003"}, "eis": {"EIS-003", "EIS-014"}}


def _copy(tmp_path: Path) -> Path:
    """The project with the demo records, measurements limited to this file's KEEP."""
    return make_copy(tmp_path, KEEP)


def _manifest(root: Path, kind: str, shard: int) -> dict:
    return json.loads((root / "results" / "shards" / kind / "2" / f"{shard}.json").read_text())


def _statuses(root: Path) -> dict[str, str]:
    out = {}
    for path in (root / "results" / "shards").glob("*/2/*.json"):
        out.update({rid: e["status"] for rid, e in json.loads(path.read_text())["records"].items()})
    return out


def _result_mtimes(root: Path) -> dict[str, int]:
    return {
        p.stem: p.stat().st_mtime_ns
        for folder in KEEP
        for p in (root / "results" / folder).glob("*.json")
    }


def test_shard_of_is_stable_and_members_partition_the_ids() -> None:
    ids = [f"XRD-{i:05d}" for i in range(200)]
    shards = shard_members(reversed(ids), 7)
    assert sorted(rid for shard in shards for rid in shard) == ids
    assert all(shard_of(rid, 7) == i for i, shard in enumerate(shards) for rid in shard)
    assert all(shard == sorted(shard) for shard in shards)
    assert shard_of("XRD-003", 2) == 1 and shard_of("XRD-004", 2) == 0  # crc32, not hash()


def test_sharded_workflow_reanalyses_exactly_what_changed(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    first = snakemake(root)  # one job per record
    assert first.returncode == 0, first.stdout + first.stderr
    before = _result_mtimes(root)
    assert set(before) == {"C-012", "XRD-002", "XRD-003", "EIS-003", "EIS-014"}

    # switching 0 -> 2 shards re-analyses nothing: every result passes its cache check
    config = root / "config.yaml"
    config.write_text(config.read_text() + "workflow:\n  shards: 2\n")
    run = snakemake(root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert set(_statuses(root).values()) == {"cached"} and len(_statuses(root)) == 5
    assert _result_mtimes(root) == before
    noop = snakemake(root)
    assert "Nothing to be done" in noop.stdout + noop.stderr

    # one scan edited: that scan alone is analysed again, its shard-mate is reused
    record = root / "records" / "xrd" / "XRD-003.yaml"
    record.write_text(record.read_text().replace("Bruker D8 Advance", "Bruker D8 Discover"))
    run = snakemake(root)
    assert run.returncode == 0, run.stdout + run.stderr
    shard = _manifest(root, "xrd", 1)
    assert shard["analysed"] == 1 and shard["records"]["XRD-003"]["status"] == "analysed"
    assert shard["records"]["XRD-002"]["status"] == "cached"
    after = _result_mtimes(root)
    assert {rid for rid in before if after[rid] != before[rid]} == {"XRD-003"}
    log = (root / "results" / "logs" / "shards" / "xrd" / "2" / "1.log").read_text()
    assert "XRD-003: analysed" in log and "XRD-002: cached" in log
    url = database_url(root)
    assert rows(url, "SELECT COUNT(*) FROM analysis_run WHERE record_id = 'XRD-003'") == [(2,)]
    assert rows(url, "SELECT COUNT(*) FROM stale_results") == [(0,)]

    # the default circuit: exactly the spectra that use it are fitted again
    before = after
    config.write_text(config.read_text() + "eis:\n  default_circuit: p(R2,CPE2)-p(R1,CPE1)-CPE3\n")
    run = snakemake(root)
    assert run.returncode == 0, run.stdout + run.stderr
    statuses = _statuses(root)
    assert statuses["EIS-003"] == "analysed" and statuses["EIS-014"] == "cached"
    after = _result_mtimes(root)
    assert {rid for rid in before if after[rid] != before[rid]} == {"EIS-003"}
    env = json.loads((root / "results" / "eis" / "EIS-003.json").read_text())
    assert env["params"]["circuit"] == "p(R2,CPE2)-p(R1,CPE1)-CPE3"
    assert env["provenance"]["rule"] == "analysis_shard"


def test_a_failed_record_fails_its_shard_and_is_named(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    config = root / "config.yaml"
    config.write_text(config.read_text() + "workflow:\n  shards: 2\n")
    assert snakemake(root).returncode == 0
    raw = root / "records" / "raw" / "eis" / "EIS-014.csv"
    raw.write_text("not,an,impedance spectrum\n")
    run = snakemake(root)
    assert run.returncode != 0
    log = (root / "results" / "logs" / "shards" / "eis" / "2" / "1.log").read_text()
    assert "EIS-014: FAILED" in log and "EIS-003: cached" in log
    assert "the analysis of EIS-014 failed" in log
    # as a failed per-record job: no result of the old raw file is left to be ingested
    assert not (root / "results" / "eis" / "EIS-014.json").exists()
    assert (root / "results" / "eis" / "EIS-003.json").exists()
    assert not (root / "results" / "shards" / "eis" / "2" / "1.json").exists()
    url = database_url(root)
    # the ingest did not run: the database still holds the result of the old raw file
    assert rows(url, "SELECT COUNT(*) FROM analysis_run WHERE record_id = 'EIS-014'") == [(1,)]


def test_shard_command_names_a_bad_shard_or_kind(project, cli) -> None:
    result = cli("analyze-shard", "xrd", "--shard", "2", "--shards", "2", cwd=project.root)
    assert result.code == 1 and "need 0 <= shard < shards" in result.err
    result = cli("analyze-shard", "batch", "--shard", "0", "--shards", "2", cwd=project.root)
    assert result.code == 1 and "records of kind 'batch' have no analysis" in result.err
    assert "Traceback" not in result.err
