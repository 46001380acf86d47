"""`labledger xrd ...` through typer's runner (in process) and one real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
from typer.testing import CliRunner

from labledger.cli.xrd import app
from labledger.xrd.phases import PHASE_DIR
from labledger.xrd.writers import write_xy

runner = CliRunner()


def test_analyze_json_with_renamed_phase(tmp_path, references_file, refs):
    from labledger.demo.xrd import write_demo_scans

    scans = write_demo_scans(tmp_path)
    cif = tmp_path / "myrp.cif"
    shutil.copy(PHASE_DIR / "Li2La2Ti3O10.cif", cif)
    f = tmp_path / scans[4].file_name
    res = runner.invoke(
        app,
        [
            "analyze",
            str(f),
            "--phase",
            f"RP={cif}",
            "--only-phases",
            "LLTO_tetragonal,RP,rutile",
            "--json",
            "--plot",
            str(tmp_path / "p.svg"),
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert set(d["phases_detected"]) == {"LLTO_tetragonal", "RP"}
    assert (tmp_path / "p.svg").is_file()


def test_analyze_human_summary_with_references(tmp_path, references_file):
    tt = np.round(np.arange(10, 80.0001, 0.02), 4)
    from labledger.demo.xrd import _simulate  # same generator as the demo scans

    counts = _simulate({"LLTO_tetragonal": 100.0}, 0.0, 0.03, np.random.default_rng(5))
    f = write_xy(tmp_path / "one.xy", tt, counts, header_lines=["synthetic"])
    out = tmp_path / "results" / "one.json"
    res = runner.invoke(
        app, ["analyze", str(f), "--references", str(references_file), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "LLTO_tetragonal" in res.stdout and "wt %" in res.stdout
    assert json.loads(out.read_text())["phases_detected"] == ["LLTO_tetragonal"]


def test_bad_file_exits_1_with_message(tmp_path):
    p = tmp_path / "bad.xy"
    p.write_text("")
    res = runner.invoke(app, ["analyze", str(p)])
    assert res.exit_code == 1
    assert "bad.xy" in res.stderr and "empty" in res.stderr


def test_references_command(tmp_path):
    out = tmp_path / "refs.json"
    res = runner.invoke(app, ["references", "--out", str(out), "--only-phases", "rutile"])
    assert res.exit_code == 0, res.output
    assert list(json.loads(out.read_text())["phases"]) == ["rutile"]


def test_runs_as_module(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "labledger", "xrd", "analyze", str(tmp_path / "x.foo")],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1
    assert "x.foo" in res.stderr and "Warning" not in res.stderr


def test_every_command_has_an_example():
    for cmd in app.registered_commands:
        assert "Example:" in (cmd.callback.__doc__ or ""), cmd.callback.__name__
