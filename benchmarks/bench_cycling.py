"""Benchmark of the cycling analysis: a 400-cycle half-cell record with 300 points per cycle.

Prints the time to read + analyse it (labledger), the time of a bare pandas.read_csv of the same
file (the baseline), and their ratio. Target: under 2 s for read + analyse on this machine.
Run: .venv/bin/python benchmarks/bench_cycling.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from labledger.cycling import analyze_cycling, read_cycling
from labledger.demo.cycling_synthetic import Segment, build_table, write_generic_csv, write_land_csv

CYCLES, POINTS_PER_STEP, REPEATS = 400, 150, 3


def make_record(folder: Path) -> tuple[Path, Path]:
    """Synthetic Li || host record (2 precycles + 400 cycles, 300 points per cycle)."""
    rng = np.random.default_rng(1)
    segs = [
        Segment(1, -0.1, 0.2, lambda x: 2.4 * (1 - x), POINTS_PER_STEP),
        Segment(1, 0.1, 0.15, lambda x: 0.1 + 2.4 * x, POINTS_PER_STEP),
    ]
    ce = np.clip(0.992 + rng.normal(0, 0.002, CYCLES), 0.9, 0.999)
    for i in range(CYCLES):
        segs.append(Segment(i + 2, -1.13, 1.13, lambda x: -0.012 - 0.003 * x, POINTS_PER_STEP))
        segs.append(Segment(i + 2, 1.13, 1.13 * ce[i],
                            lambda x: 0.012 + 0.9 * np.clip((x - 0.9) / 0.1, 0, 1) ** 3,
                            POINTS_PER_STEP))  # fmt: skip
    frame = build_table(segs)
    return (write_generic_csv(frame, folder / "bench.csv", "benchmark record"),
            write_land_csv(frame, folder / "bench_land.csv", "benchmark record"))  # fmt: skip


def best_of(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        generic, land = make_record(Path(tmp))
        rows = sum(1 for _ in generic.open()) - 2
        print(f"record: {CYCLES} cycles, {2 * POINTS_PER_STEP} points per cycle, {rows} rows, "
              f"{generic.stat().st_size / 1e6:.1f} MB")  # fmt: skip
        for label, path in (("generic CSV", generic), ("Chinese-header CSV (h:mm:ss)", land)):
            base = best_of(lambda p=path: pd.read_csv(p, comment="#"))
            read = best_of(lambda p=path: read_cycling(p))
            data = read_cycling(path)
            analyse = best_of(lambda d=data: analyze_cycling(d, "half", area_cm2=1.13))
            total = best_of(lambda p=path: analyze_cycling(p, "half", area_cm2=1.13))
            print(f"{label}:")
            print(f"  pandas.read_csv (baseline)   {base * 1000:8.1f} ms")
            print(f"  read_cycling                 {read * 1000:8.1f} ms  ({read / base:.1f}x)")
            print(f"  analyze (already read)       {analyse * 1000:8.1f} ms")
            print(f"  read + analyze               {total * 1000:8.1f} ms  ({total / base:.1f}x "
                  f"baseline; target < 2000 ms: {'ok' if total < 2 else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
