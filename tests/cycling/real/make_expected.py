"""Compute tests/cycling/real/expected.json from the reference readers of each corpus file.

Run: .venv/bin/python tests/cycling/real/make_expected.py

Nothing here uses labledger. Each file is read by the library that reads its format
(NewareNDA.read for .nda/.ndax, galvani.BioLogic.MPRfile for .mpr, pandas for Arbin and Neware
exports) and turned into the tester's own steps: (kind, capacity mAh, tester cycle), where kind
is "red" (reduction of the working electrode: discharge, Li plating, lithiation of an anode),
"ox" (oxidation: charge, Li stripping), "rest", or "other" (pulse, impedance, ...), taken from
the tester's step type where the file has one (Neware `Status` and `Step Type`)
and otherwise from the sign of the tester's current over the step. Step capacities are the
tester's own per-step counters (never an integral of the current).

Definition of a complete cycle (independent of labledger's code):
1. A half-cycle is a run of consecutive steps of one kind ("red" or "ox"); rest and other
   steps between two steps of the same kind do not break the run and add no charge.
2. A half-cycle is complete when the record goes on after its last step (the tester moved on
   to another step); the step running when the record ends is incomplete.
3. A complete cycle is a complete half-cycle of the first kind followed by a complete half-cycle
   of the other kind: reduction then oxidation for a half cell (plate then strip), oxidation
   then reduction for a full cell (charge then discharge). A half-cycle that is not part of
   such a pair (a discharge before the first charge of a full cell, a charge with no discharge
   after it, the interrupted last step) is left out and counted.
4. CE_n = Q_second / Q_first of cycle n (strip/plate, discharge/charge); the mean CE is the mean
   of CE_n over cycles 2..N (cycle 1 is conditioning), or CE_1 when N = 1.
"""

from __future__ import annotations

import json
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent

#: file -> (cell type, reader). Cell type "half": Li metal counter electrode (plating/stripping,
#: or an anode material vs Li); "full": a cell charged by oxidation of its positive electrode.
FILES = {
    "neware_new_nda_file.nda": ("half", "neware"),
    "neware_issue72_TestFile.nda": ("full", "neware"),
    "neware_pr28_Ndc17.ndax": ("full", "neware"),
    "neware_issue27_46_1_5_60.ndax": ("full", "neware"),
    "neware_pr28_M50T.ndax": ("full", "neware"),
    "neware_issue94_rest_only.ndax": ("full", "neware"),
    "navani_test.ndax": ("full", "neware"),
    "arbin_gr_li_channel_11.xlsx": ("half", "arbin_xlsx"),
    "arbin_bdf_cut.csv": ("full", "arbin_bdf"),
    "biologic_bec01_MB.mpr": ("half", "mpr"),
    "biologic_jdb11_gcpl_cut.mpr": ("full", "mpr"),
    "neware_regular_export_cut.csv": ("full", "neware_regular"),
}


def _runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) row of each run of equal consecutive keys."""
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, len(keys)] - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _kind_from_sign(current: np.ndarray) -> str:
    moving = current[current != 0]
    if moving.size == 0:
        return "rest"
    return "ox" if moving.mean() > 0 else "red"


def steps_neware(path: Path) -> tuple[int, list[dict], str]:
    import NewareNDA

    df = NewareNDA.read(str(path), software_cycle_number=False, log_level="ERROR")
    steps = []
    for a, b in _runs(df["Step"].to_numpy()):
        status = str(df["Status"].iloc[a])
        if "DChg" in status:
            kind, q = "red", df["Discharge_Capacity(mAh)"].iloc[a : b + 1].max()
        elif "Chg" in status:
            kind, q = "ox", df["Charge_Capacity(mAh)"].iloc[a : b + 1].max()
        elif status == "Rest":
            kind, q = "rest", 0.0
        else:
            kind, q = "other", 0.0
        steps.append({"kind": kind, "q": float(q), "cycle": int(df["Cycle"].iloc[a])})
    return len(df), steps, f"NewareNDA {version('NewareNDA')}"


def _arbin_steps(df: pd.DataFrame, current: str, qc: str, qd: str, scale: float) -> list[dict]:
    """Arbin counters Charge_Capacity / Discharge_Capacity run on within a cycle and reset at a
    new Cycle_Index: a step's charge is the counter's rise over the step."""
    key = df["Cycle_Index"].to_numpy() * 100000 + df["Step_Index"].to_numpy()
    steps = []
    for a, b in _runs(key):
        kind = _kind_from_sign(df[current].iloc[a : b + 1].to_numpy())
        same_cycle = a > 0 and df["Cycle_Index"].iloc[a - 1] == df["Cycle_Index"].iloc[a]
        counter = {"ox": qc, "red": qd}.get(kind)
        q = 0.0
        if counter is not None:
            before = df[counter].iloc[a - 1] if same_cycle else 0.0
            q = (df[counter].iloc[b] - before) * scale
        steps.append({"kind": kind, "q": float(q), "cycle": int(df["Cycle_Index"].iloc[a])})
    return steps


def steps_arbin_xlsx(path: Path) -> tuple[int, list[dict], str]:
    sheets = pd.read_excel(path, sheet_name=None)
    df = next(s for s in sheets.values() if "Cycle_Index" in s.columns)
    steps = _arbin_steps(df, "Current(A)", "Charge_Capacity(Ah)", "Discharge_Capacity(Ah)", 1000.0)
    return len(df), steps, f"pandas {pd.__version__} (openpyxl {version('openpyxl')})"


def steps_arbin_bdf(path: Path) -> tuple[int, list[dict], str]:
    df = pd.read_csv(path)
    # Arbin's own columns carry no units. The current integrated over Test_Time equals the
    # Charge_Capacity counter when the current is in A and the capacity in Ah; the file's
    # added 'Current / A' and 'Charging Capacity / Ah' columns are 1000 times smaller and are
    # not used.
    s = df[(df["Cycle_Index"] == 1) & (df["Step_Index"] == 2)]
    integral_ah = np.trapezoid(s["Current"], s["Test_Time"]) / 3600.0
    assert abs(integral_ah / s["Charge_Capacity"].max() - 1) < 0.01, "units are not A and Ah"
    steps = _arbin_steps(df, "Current", "Charge_Capacity", "Discharge_Capacity", 1000.0)
    return len(df), steps, f"pandas {pd.__version__}"


def steps_mpr(path: Path) -> tuple[int, list[dict], str]:
    from galvani import BioLogic

    with path.open("rb") as fh:
        df = pd.DataFrame(BioLogic.MPRfile(fh).data)
    key = df["half cycle"].to_numpy() * 100000 + df["Ns"].to_numpy()
    q_abs = df["Q charge/discharge/mA.h"].abs().to_numpy()
    half = df["half cycle"].to_numpy()
    # GCPL files of newer EC-Lab versions carry no 'I/mA': the tester's per-point charge
    # 'dq/mA.h' has the sign of the current.
    current = "I/mA" if "I/mA" in df.columns else "dq/mA.h"
    steps = []
    for a, b in _runs(key):
        kind = _kind_from_sign(df[current].iloc[a : b + 1].to_numpy())
        # EC-Lab's 'Q charge/discharge' runs on through a half cycle and resets at the next
        before = q_abs[a - 1] if a > 0 and half[a - 1] == half[a] else 0.0
        q = q_abs[b] - before if kind in ("ox", "red") else 0.0
        # EC-Lab counts half cycles, not cycles, in these files: no tester cycle to compare
        steps.append({"kind": kind, "q": float(q), "cycle": None})
    return len(df), steps, f"galvani {version('galvani')}"


def steps_neware_regular(path: Path) -> tuple[int, list[dict], str]:
    """Neware 'regular' CSV export: cycle rows, step rows (leading ','), record rows (',,').
    The step rows hold the tester's own step type and step capacity; the first step row of a
    cycle may sit on the cycle row, after its eight cycle fields."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    step_header = lines[1].split(",")[1:]
    i_type, i_cap = step_header.index("Step Type"), step_header.index("Capacity(Ah)")
    cycle_fields = len(lines[0].split(","))
    steps, records, cycle = [], 0, 0
    for line in lines[3:]:
        f = line.split(",")
        if f[0]:
            cycle = int(f[0])
            step = f[cycle_fields:] if len(f) > cycle_fields else None
        elif f[1]:
            step = f[1:]
        else:
            records += 1
            continue
        if step:
            label = step[i_type]
            kind = "red" if "DChg" in label else "ox" if "Chg" in label else "other"
            kind = "rest" if label == "Rest" else kind
            q = float(step[i_cap]) * 1000.0 if kind in ("ox", "red") else 0.0
            steps.append({"kind": kind, "q": q, "cycle": cycle})
    return records, steps, "the tester's own step rows (Step Type, Capacity(Ah)), split by ','"


READERS = {
    "neware": steps_neware,
    "arbin_xlsx": steps_arbin_xlsx,
    "arbin_bdf": steps_arbin_bdf,
    "mpr": steps_mpr,
    "neware_regular": steps_neware_regular,
}


def cycles_from_steps(steps: list[dict], cell_type: str) -> dict:
    """Half-cycles and complete cycles (see the module docstring)."""
    halves: list[dict] = []
    for i, s in enumerate(steps):
        complete = i < len(steps) - 1
        if s["kind"] not in ("ox", "red"):
            continue
        if halves and halves[-1]["kind"] == s["kind"] and halves[-1]["open"]:
            halves[-1]["q"] += s["q"]
            halves[-1]["complete"] = complete
        else:
            if halves:
                halves[-1]["open"] = False
            halves.append({**s, "complete": complete, "open": True})
    first = "red" if cell_type == "half" else "ox"
    cycles, dropped, i = [], 0, 0
    while i < len(halves):
        h = halves[i]
        nxt = halves[i + 1] if i + 1 < len(halves) else None
        if h["kind"] == first and h["complete"] and nxt is not None and nxt["complete"]:
            cycles.append({"q_first": h["q"], "q_second": nxt["q"], "cycle": h["cycle"]})
            i += 2
        else:
            dropped += 1
            i += 1
    ce = [c["q_second"] / c["q_first"] if c["q_first"] > 0 else float("nan") for c in cycles]
    window = ce[1:] if len(ce) >= 2 else ce
    out = {
        "n_half_cycles": len(halves),
        "n_complete_cycles": len(cycles),
        "half_cycles_left_out": dropped,
        "steps_left_out": sum(s["kind"] in ("rest", "other") for s in steps),
    }
    if cycles:
        q_red, q_ox = (
            (cycles[0]["q_first"], cycles[0]["q_second"])
            if cell_type == "half"
            else (cycles[0]["q_second"], cycles[0]["q_first"])
        )
        out.update(
            first_cycle_reduction_mAh=q_red,
            first_cycle_oxidation_mAh=q_ox,
            first_cycle_tester_cycle=cycles[0]["cycle"],
            mean_ce=float(np.nanmean(window)),
            ce=ce,
        )
    return out


def main() -> None:
    warnings.filterwarnings("ignore")
    expected = {}
    for name, (cell_type, reader) in FILES.items():
        rows, steps, ref = READERS[reader](HERE / name)
        entry = {"cell_type": cell_type, "reference": ref, "rows": rows}
        if not any(s["kind"] in ("ox", "red") for s in steps):
            entry["error"] = "current is zero throughout"
        else:
            entry.update(cycles_from_steps(steps, cell_type))
            if entry["n_complete_cycles"] == 0:
                entry["error"] = "no complete cycle"
        expected[name] = entry
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    for name, e in expected.items():
        print(name, {k: v for k, v in e.items() if k != "ce"})


if __name__ == "__main__":
    main()
