"""`labledger eis ...` commands, run through typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labledger.cli.eis import app
from labledger.demo.eis import write_demo_spectra

REAL = Path(__file__).parent / "real"

runner = CliRunner()
GEOM = ["--thickness-mm", "1.0", "--diameter-mm", "10"]


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    d = tmp_path_factory.mktemp("raw")
    write_demo_spectra(d)
    return d


def test_fit_json_with_geometry(raw, tmp_path):
    svg = tmp_path / "n.svg"
    res = runner.invoke(
        app,
        [
            "fit",
            str(raw / "EIS-010.mpt"),
            *GEOM,
            "--temperature-c",
            "0",
            "--json",
            "--plot",
            str(svg),
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["temperature_C"] == 0
    assert d["bulk_determined"] is True
    assert d["sigma_bulk_S_cm"] > d["sigma_total_S_cm"] > 0
    assert {a["role"] for a in d["arcs"]} == {"bulk", "grain_boundary"}
    assert set(d["fit"]["parameters"]["R1"]) == {"value", "stderr", "unit", "determined"}
    assert d["linkk"]["consistent"] is True
    assert svg.read_text().lstrip().startswith("<?xml")


def test_fit_human_summary_without_geometry(raw):
    res = runner.invoke(app, ["fit", str(raw / "EIS-015.csv"), "--circuit", "R0-p(R1,CPE1)-W1"])
    assert res.exit_code == 0, res.output
    assert "charge-transfer R" in res.stdout
    assert "sigma" not in res.stdout


def test_fit_area_option(raw):
    res = runner.invoke(
        app,
        ["fit", str(raw / "EIS-003.csv"), "--thickness-mm", "1", "--area-cm2", "0.7854", "--json"],
    )
    d = json.loads(res.stdout)
    assert d["sigma_bulk_S_cm"] is None
    assert "not determined" in d["bulk_reason"]
    assert d["sigma_total_S_cm"] == pytest.approx(6.5e-5, rel=0.01)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "missing.csv"], "missing.csv: file not found"),
        (["fit", "{raw}/EIS-003.csv", "--circuit", "p(R1,Q1)"], "unknown element type 'Q'"),
        (["fit", "{raw}/EIS-003.csv", "--diameter-mm", "10"], "--thickness-mm is needed"),
        (["fit", "{raw}/EIS-003.csv", *GEOM, "--area-cm2", "1"], "exactly one"),
    ],
)
def test_fit_errors_exit_1_with_message(raw, args, message):
    res = runner.invoke(app, [a.format(raw=raw) for a in args])
    assert res.exit_code == 1
    assert message in res.stderr
    assert "Traceback" not in res.output


def test_arrhenius_from_json_results(raw, tmp_path):
    files = []
    for rid, t in [("EIS-009", -20), ("EIS-010", 0), ("EIS-003", 25), ("EIS-011", 50)]:
        ext = "csv" if rid == "EIS-003" else "mpt"
        res = runner.invoke(
            app, ["fit", str(raw / f"{rid}.{ext}"), *GEOM, "--temperature-c", str(t), "--json"]
        )
        p = tmp_path / f"{rid}.json"
        p.write_text(res.stdout)
        files.append(str(p))
    res = runner.invoke(app, ["arrhenius", *files, "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["bulk"]["n_points"] == 2 and d["total"]["n_points"] == 4
    assert d["bulk"]["form"] == "sigma*T"
    assert d["bulk"]["Ea_eV"] == pytest.approx(0.40, abs=0.02)
    human = runner.invoke(app, ["arrhenius", *files])
    assert "bulk: Ea = " in human.stdout and "eV from 2 temperatures" in human.stdout
    assert "note: bulk: skipped 25" in human.stdout


def test_arrhenius_rejects_result_without_temperature(raw, tmp_path):
    res = runner.invoke(app, ["fit", str(raw / "EIS-003.csv"), *GEOM, "--json"])
    p = tmp_path / "r.json"
    p.write_text(res.stdout)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = runner.invoke(app, ["arrhenius", str(p), str(p)])
    assert out.exit_code == 1 and "no temperature_C" in out.stderr
    out = runner.invoke(app, ["arrhenius", str(bad)])
    assert out.exit_code == 1 and "not a JSON result" in out.stderr


def test_demo_command(tmp_path):
    res = runner.invoke(app, ["demo", str(tmp_path)])
    assert res.exit_code == 0
    assert len(list(tmp_path.iterdir())) == 15
    assert "EIS-015" in res.stdout


def test_ill_suited_default_circuit_is_reported_not_crashed():
    """impedance.py's battery spectrum with the pellet circuit: a degenerate arc (Q -> 0)."""
    data = str(REAL / "exampleData.csv")
    res = runner.invoke(app, ["fit", data])
    assert res.exit_code == 0, res.output
    assert "may not describe this spectrum" in res.stdout
    js = runner.invoke(app, ["fit", data, "--json"])

    def no_nan(name):
        raise AssertionError(f"{name} in JSON output")

    d = json.loads(js.stdout, parse_constant=no_nan)  # NaN/inf must have become null
    assert any(a["f_c_Hz"] is None for a in d["arcs"])


def test_weighting_option_and_named_circuit_kept():
    args = ["fit", str(REAL / "exampleData.csv"), "--circuit", "R0-p(R1,C1)-p(R2-Wo1,C2)"]
    a = json.loads(runner.invoke(app, [*args, "--weighting", "impedance.py", "--json"]).stdout)
    b = json.loads(runner.invoke(app, [*args, "--weighting", "unit", "--json"]).stdout)
    assert a["fit"]["weighting"] == b["fit"]["weighting"] == "unit"
    assert a["fit"]["chi2"] == b["fit"]["chi2"]
    assert a["circuit_used"] == "R0-p(R1,C1)-p(R2-Wo1,C2)"
    bad = runner.invoke(app, [*args, "--weighting", "bogus"])
    assert bad.exit_code == 1 and "weighting must be one of" in bad.stderr


def test_not_determined_parameters_and_total_say_why():
    res = runner.invoke(app, ["fit", str(REAL / "exampleDataBioLogic.mpt"), *GEOM])
    assert res.exit_code == 0, res.output
    assert "CPE3_0   not determined (ran to a bound" in res.stdout
    assert "sigma_total  not determined  (the fitted points fail the Lin-KK test" in res.stdout
    assert "Warning" not in res.output


def test_exact_circuit_option_keeps_the_default_circuit():
    path = str(REAL / "exampleDataBioLogic.mpt")
    auto = json.loads(runner.invoke(app, ["fit", path, *GEOM, "--json"]).stdout)
    exact = json.loads(runner.invoke(app, ["fit", path, *GEOM, "--exact-circuit", "--json"]).stdout)
    assert auto["circuit_used"] == "R1-p(R2,CPE2)-CPE3"
    assert exact["circuit_used"] == "p(R1,CPE1)-p(R2,CPE2)-CPE3"
