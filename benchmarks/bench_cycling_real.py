"""Read time of real tester files (tests/cycling/real) next to the reference library's own read.

For each file, in the same run: the best of REPEATS reads by labledger's `read_cycling` and by
the library that reads the format (NewareNDA.read, galvani MPRfile, pandas.read_excel or
read_csv), and their ratio (goal: within 1.2x on the largest file). Figures, not pass/fail.
Run: .venv/bin/python benchmarks/bench_cycling_real.py
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
from bench_cycling import best_of  # benchmarks/ is on the path of a script run from it

from labledger.cycling import read_cycling

REAL = Path(__file__).resolve().parent.parent / "tests" / "cycling" / "real"
REPEATS = 5


def _neware(path: Path) -> object:
    import NewareNDA

    return NewareNDA.read(str(path), software_cycle_number=False, log_level="ERROR")


def _galvani(path: Path) -> object:
    from galvani import BioLogic

    with path.open("rb") as fh:
        return pd.DataFrame(BioLogic.MPRfile(fh).data)


REFERENCE = {
    "neware_pr28_M50T.ndax": ("NewareNDA.read", _neware),
    "arbin_gr_li_channel_11.xlsx": ("pandas.read_excel", lambda p: pd.read_excel(p, None)),
    "biologic_jdb11_gcpl_cut.mpr": ("galvani MPRfile", _galvani),
    "arbin_bdf_cut.csv": ("pandas.read_csv", pd.read_csv),
}


def main() -> None:
    warnings.filterwarnings("ignore")
    largest = max(REAL.glob("*.*"), key=lambda p: p.stat().st_size if p.suffix != ".md" else 0)
    print(f"largest corpus file: {largest.name} ({largest.stat().st_size / 1e3:.0f} kB)")
    for name, (label, reference) in REFERENCE.items():
        path = REAL / name
        ref = best_of(lambda p=path, f=reference: f(p), REPEATS)
        ours = best_of(lambda p=path: read_cycling(p), REPEATS)
        rows = len(read_cycling(path).frame)
        print(f"{name} ({path.stat().st_size / 1e3:.0f} kB, {rows} rows):")
        print(f"  {label:<28} {ref * 1000:8.1f} ms")
        print(f"  {'labledger read_cycling':<28} {ours * 1000:8.1f} ms  ({ours / ref:.2f}x)")


if __name__ == "__main__":
    main()
