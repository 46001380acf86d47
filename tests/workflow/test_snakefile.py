"""`snakemake` on a copy of the project builds the database; a second run does nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labledger.config import load_config
from labledger.db.engine import database_exists, display_url
from labledger.kinds import analysed_kinds
from support.databases import rows

REPO = Path(__file__).resolve().parents[2]


def snakemake(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--directory", str(root), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


def database_url(root: Path) -> str:
    """The database the workflow in `root` writes (LABLEDGER_DATABASE_URL, as the jobs see it)."""
    return load_config(root / "config.yaml").database_url


#: Measurements kept in the workflow copies (the others are deleted to keep the runs quick):
#: one half cell and one anode-free cell, one scan, one spectrum.
KEEP = {"cells": {"C-001", "C-012"}, "xrd": {"XRD-003"}, "eis": {"EIS-003"}}


def make_copy(tmp_path: Path, keep_ids: dict[str, set[str]] = KEEP) -> Path:
    """The project with the demo records, measurements limited to `keep_ids` to stay quick."""
    root = tmp_path / "lab"
    root.mkdir()
    for name in ("Snakefile", "config.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("workflow", "schema", "records", "profiles"):
        shutil.copytree(REPO / name, root / name)
    for folder, keep in keep_ids.items():
        for path in (root / "records" / folder).glob("*.yaml"):
            if path.stem not in keep:
                path.unlink()
    return root


def test_run_builds_database_then_nothing_to_do(tmp_path: Path) -> None:
    root = make_copy(tmp_path)
    first = snakemake(root)
    assert first.returncode == 0, first.stderr
    # profiles/default (greedy scheduler) is picked up without being named
    assert "Using workflow specific profile profiles/default" in first.stdout + first.stderr
    assert rows(database_url(root), "SELECT COUNT(*) FROM batch_synthesis") == [(8,)]
    provenance = root / "results" / "provenance"
    # the runs of this first ingest, as PROV and an RO-Crate, and the index of the exports
    [export] = json.loads((provenance / "runs" / "index.json").read_text())["exports"]
    assert (provenance / export["folder"] / "prov.json").is_file()
    assert (provenance / export["folder"] / "crate" / "ro-crate-metadata.json").is_file()
    assert (provenance / "pages" / "B-003.html").is_file()
    # each result names the rule of its own kind
    for kind in analysed_kinds().values():
        for result in (root / "results" / kind.folder).glob("*.json"):
            assert json.loads(result.read_text())["provenance"]["rule"] == kind.rule, result
    index = (root / "results" / "report" / "index.html").read_text()
    assert "B-003" in index and (root / "results" / "queries" / "ce_vs_cnt_ratio.csv").is_file()
    second = snakemake(root)
    assert second.returncode == 0
    assert "Nothing to be done" in second.stdout + second.stderr
    # how Snakemake is started or the config file spelled is no reason to rerun
    spelled = snakemake(root, "--configfile", str(root / "config.yaml"), "--dry-run")
    assert "Nothing to be done" in spelled.stdout + spelled.stderr, spelled.stdout
    script = Path(sys.executable).with_name("snakemake")
    if script.is_file():
        run = subprocess.run(
            [str(script), "--cores", "2", "--dry-run"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert "Nothing to be done" in run.stdout + run.stderr, run.stdout
    # a deleted SQLite database is built again
    if database_url(root).startswith("sqlite"):
        (root / "results" / "labledger.db").unlink()
        rebuilt = snakemake(root)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert rows(database_url(root), "SELECT COUNT(*) FROM batch_synthesis") == [(8,)]
    # another database (here a second SQLite file; on a lab server a PostgreSQL URL) is filled
    # by the next run, not skipped as "Nothing to be done"
    other = f"sqlite:///{tmp_path / 'other.db'}"
    moved = snakemake(root, env={"LABLEDGER_DATABASE_URL": other})
    assert moved.returncode == 0, moved.stderr
    assert "ingest, provenance export, HTML report and saved queries" in moved.stdout + moved.stderr
    assert rows(other, "SELECT COUNT(*) FROM batch_synthesis") == [(8,)]
    report = snakemake(root, "--report", "report.html")
    assert report.returncode == 0, report.stderr
    html = (root / "report.html").read_text()
    assert "C-001.svg" in html and "XRD-003.svg" in html and "EIS-003.svg" in html


@pytest.mark.no_database  # plans or stops before any job: no database is opened
def test_slurm_profile_parses_and_plans_the_jobs(tmp_path: Path) -> None:
    root = make_copy(tmp_path)
    dry = snakemake(root, "--profile", "workflow/profiles/slurm", "--dry-run")
    out = dry.stdout + dry.stderr
    assert dry.returncode == 0, out
    assert "slurm_partition=main" in out
    for rule in ("xrd_references", "xrd_analysis", "eis_analysis", "cell_analysis", "publish"):
        assert rule in out


def test_rebuilds_only_what_a_change_affects(tmp_path: Path) -> None:
    root = make_copy(tmp_path)
    assert snakemake(root).returncode == 0
    results = root / "results" / "cells"
    assert sorted(p.name for p in results.glob("*.json")) == ["C-001.json", "C-012.json"]
    url = database_url(root)
    assert rows(url, "SELECT COUNT(*) FROM cell_result") == [(2,)]
    [row] = rows(
        url,
        "SELECT li2la2ti3o10_wt_pct, sigma_total_rt_s_cm FROM batch_synthesis "
        "WHERE batch_id = 'B-003'",
    )
    assert 5 < row[0] < 7 and 1e-5 < row[1] < 1e-4

    for path in (root / "records").rglob("*"):
        if path.is_file():
            path.touch()
    dry = snakemake(root, "--dry-run")
    assert "Nothing to be done" in dry.stdout + dry.stderr, dry.stdout

    before = {p.name: p.stat().st_mtime_ns for p in results.glob("*.json")}
    record = root / "records" / "cells" / "C-001.yaml"
    record.write_text(record.read_text().replace("Celgard 2400", "Celgard 2500"))
    assert snakemake(root).returncode == 0
    after = {p.name: p.stat().st_mtime_ns for p in results.glob("*.json")}
    assert after["C-001.json"] != before["C-001.json"]
    assert after["C-012.json"] == before["C-012.json"]
    assert rows(url, "SELECT COUNT(*) FROM stale_results") == [(0,)]
    assert rows(url, "SELECT COUNT(*) FROM analysis_run WHERE record_id = 'C-001'") == [(2,)]

    # A setting in config.yaml reruns exactly the analyses that use it: the default circuit is
    # used by EIS-003 only. The arcs are written in the other order: assignment by capacitance
    # must give the same conductivity.
    outputs = [*results.glob("*.json"), *(root / "results" / "xrd").glob("XRD-*.json")]
    before = {p: p.stat().st_mtime_ns for p in outputs}
    eis_json = root / "results" / "eis" / "EIS-003.json"
    sigma_before = json.loads(eis_json.read_text())["result"]["sigma_total_S_cm"]
    config = root / "config.yaml"
    config.write_text(config.read_text() + "eis:\n  default_circuit: p(R2,CPE2)-p(R1,CPE1)-CPE3\n")
    run = snakemake(root)
    assert run.returncode == 0, run.stderr
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())
    env = json.loads(eis_json.read_text())
    assert env["params"]["circuit"] == "p(R2,CPE2)-p(R1,CPE1)-CPE3"
    assert env["result"]["sigma_total_S_cm"] == pytest.approx(sigma_before, rel=0.01)


@pytest.mark.no_database  # plans or stops before any job: no database is opened
def test_invalid_config_stops_before_any_job(tmp_path: Path) -> None:
    root = make_copy(tmp_path)
    (root / "config.yaml").write_text("records_dir: records\nresult_dir: results\n")
    run = snakemake(root)
    assert run.returncode != 0
    assert "result_dir" in run.stdout + run.stderr
    assert not (root / "results").exists()


def test_invalid_record_fails_the_run_with_the_message(tmp_path: Path) -> None:
    root = make_copy(tmp_path)
    path = root / "records" / "batches" / "B-002.yaml"
    path.write_text(path.read_text().replace("temperature_C: 1150", "temperature_C: 1423"))
    run = snakemake(root)
    assert run.returncode != 0
    assert "steps[3].temperature_C: 1423 is above 1400; is it in kelvin?" in run.stdout + run.stderr
    assert not (root / "results" / "labledger.db").exists()
    assert not database_exists(database_url(root))


def test_a_record_saved_as_yml_is_analysed(tmp_path: Path) -> None:
    """check and the ingest read `*.yml` records; the workflow must analyse them too."""
    root = make_copy(tmp_path, {"cells": set(), "xrd": {"XRD-003"}, "eis": set()})
    record = root / "records" / "xrd" / "XRD-003.yaml"
    record.rename(record.with_suffix(".yml"))
    dry = snakemake(root, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "results/xrd/XRD-003.json" in dry.stdout + dry.stderr


def test_a_setting_given_with_config_is_the_one_the_job_uses(tmp_path: Path) -> None:
    """`snakemake --config` reruns the jobs whose params hold the setting, and the jobs compute
    with it (they used to read config.yaml's value and fit the old circuit again)."""
    root = make_copy(tmp_path, {"cells": set(), "xrd": set(), "eis": {"EIS-003"}})
    circuit = "p(R2,CPE2)-p(R1,CPE1)-CPE3"
    override = json.dumps({"default_circuit": circuit})
    run = snakemake(root, "--config", f"eis={override}")
    assert run.returncode == 0, run.stderr
    env = json.loads((root / "results" / "eis" / "EIS-003.json").read_text())
    assert env["params"]["circuit"] == circuit
    assert circuit not in (root / "config.yaml").read_text()


def test_a_failed_analysis_shows_its_message_with_the_record_in_the_terminal(
    tmp_path: Path,
) -> None:
    root = make_copy(tmp_path, {"cells": set(), "xrd": {"XRD-003"}, "eis": set()})
    (root / "records" / "raw" / "xrd" / "XRD-003.xy").write_bytes(b"garbage\x00\x01")
    run = snakemake(root)
    assert run.returncode != 0
    # the message that used to sit only in results/logs/xrd/XRD-003.log
    assert (
        "records/xrd/XRD-003.yaml:" in run.stderr
        and "raw_file:" in run.stderr
        and "binary content (NUL bytes)" in run.stderr
    ), run.stderr


def test_a_run_ends_saying_where_the_report_and_database_are(tmp_path: Path) -> None:
    root = make_copy(tmp_path, {"cells": set(), "xrd": set(), "eis": set()})
    run = snakemake(root)
    assert run.returncode == 0, run.stderr
    out = run.stdout + run.stderr
    assert "wrote " in out and "report/index.html" in out  # the report job's summary line
    assert f"labledger: report results/report/index.html, database {database_shown(root)}" in out


def database_shown(root: Path) -> str:
    url = database_url(root)
    return "results/labledger.db" if url.startswith("sqlite") else display_url(url)


@pytest.mark.no_database  # plans or stops before any job: no database is opened
def test_lint_finds_nothing_but_the_missing_conda_environment() -> None:
    """Jobs run the labledger installed beside Snakemake, so no rule names a conda env."""
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    bullets = [
        ln.strip() for ln in (run.stdout + run.stderr).splitlines() if ln.strip().startswith("* ")
    ]
    assert bullets, run.stdout + run.stderr
    assert all("conda environment or container" in b for b in bullets), bullets
