"""`labledger cycling analyze` on files of our own making."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from labledger.cli.cycling import app
from labledger.demo.cycling_synthetic import build_table, write_generic_csv

runner = CliRunner()


def test_analyze_json_states_window(half_record):
    res = runner.invoke(app, ["analyze", str(half_record.path), "--type", "half",
                              "--area-cm2", "1.13", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["window"]["first"] == 2 and out["window"]["last"] == 60
    ce = half_record.q_strip / half_record.q_plate
    assert abs(out["summary"]["mean_ce"] - ce[1:].mean()) < 1e-12
    assert len(out["cycles"]["ce"]) == 60
    assert out["activation"]["file_cycles"] == [1, 2]


def test_analyze_window_and_human_summary(half_record):
    res = runner.invoke(app, ["analyze", str(half_record.path), "--window", "10-20"])
    assert res.exit_code == 0, res.output
    ce = half_record.q_strip / half_record.q_plate
    assert f"window 10-20: mean CE {100 * ce[9:20].mean():.2f} %" in res.stdout
    assert "nucleation overpotential" in res.stdout


def test_full_cell_json_states_reference(tmp_path):
    from labledger.demo.cycling_synthetic import Segment

    segs = []
    for i in range(10):
        q = 2.0 * (1 - 0.03 * i)
        segs.append(Segment(i + 1, 0.45, q / 0.99, lambda x: 3.6 + 0.7 * x, 10))
        segs.append(Segment(i + 1, -1.1, q, lambda x: 4.2 - 1.2 * x, 10))
    path = write_generic_csv(build_table(segs), tmp_path / "full.csv", digits=17)
    res = runner.invoke(app, ["analyze", str(path), "--type", "full", "--reference-cycle", "2",
                              "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["reference_cycle"] == 2
    q = 2.0 * (1 - 0.03 * np.arange(10))
    life = int(np.flatnonzero(q[2:] / q[1] < 0.8)[0]) + 3
    assert out["summary"]["cycle_life"] == life


def test_plot_is_svg(half_record, tmp_path):
    svg = tmp_path / "p.svg"
    res = runner.invoke(app, ["analyze", str(half_record.path), "--plot", str(svg)])
    assert res.exit_code == 0, res.output
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()


def test_errors_exit_1_without_traceback(tmp_path, half_record):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    res = runner.invoke(app, ["analyze", str(bad)])
    assert res.exit_code == 1
    assert "columns found: 'a', 'b'" in res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit)
    res = runner.invoke(app, ["analyze", str(half_record.path), "--window", "x-y"])
    assert res.exit_code == 1 and "FIRST-LAST" in res.stderr
    res = runner.invoke(app, ["analyze", str(half_record.path), "--type", "sym"])
    assert res.exit_code == 1 and "cell type" in res.stderr


def test_help_has_example():
    for command in ("analyze", "demo"):
        res = runner.invoke(app, [command, "--help"])
        assert res.exit_code == 0
        assert "Example:" in res.stdout


def test_columns_option_maps_an_unknown_layout(tmp_path, half_record):
    text = (
        half_record.path.read_text()
        .replace("Current (mA)", "Strom")
        .replace("Voltage (V)", "Spannung")
    )
    path = tmp_path / "renamed.csv"
    path.write_text(text)
    res = runner.invoke(app, ["analyze", str(path), "--json"])
    assert res.exit_code == 1 and "'Strom'" in res.stderr
    mapping = json.dumps({"current_mA": "Strom", "voltage_V": "Spannung"})
    res = runner.invoke(app, ["analyze", str(path), "--columns", mapping, "--json"])
    assert res.exit_code == 0, res.output
    ce = half_record.q_strip / half_record.q_plate
    assert abs(json.loads(res.stdout)["summary"]["mean_ce"] - ce[1:].mean()) < 1e-12
    res = runner.invoke(app, ["analyze", str(path), "--columns", "{not json"])
    assert res.exit_code == 1 and "not valid JSON" in res.stderr
