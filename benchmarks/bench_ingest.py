"""Ingest benchmark: 10,000 generated records, first ingest, no-change re-ingest, one edit.

Prints wall times and, as the baseline measured in the same run, the time to read, hash and
YAML-parse (libyaml) every file without validating or writing anything.

    python benchmarks/bench_ingest.py [N_RECORDS]
"""

from __future__ import annotations

import copy
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import yaml

from labledger.config import load_config
from labledger.db.ingest import ingest
from labledger.demo.records import demo_records, render
from labledger.records.kinds import KINDS
from labledger.records.paths import discover


def generate(records_dir: Path, n: int) -> None:
    """n records: a quarter each of batches, electrodes (of those batches), cells and xrd scans."""
    templates = {
        r["kind"]: r for r in demo_records() if r["id"] in ("B-003", "E-003", "C-004", "XRD-003")
    }
    per_kind = n // 4
    for i in range(per_kind):
        batch = copy.deepcopy(templates["batch"])
        batch.update(id=f"B-{i:05d}", li2co3_excess_pct=(i % 21))
        electrode = copy.deepcopy(templates["electrode"])
        electrode.update(id=f"E-{i:05d}", batch=batch["id"], cnt_wt_pct=10 + i % 20)
        cell = copy.deepcopy(templates["cell"])
        cell.update(id=f"C-{i:05d}", working_electrode=electrode["id"])
        scan = copy.deepcopy(templates["xrd"])
        scan.update(id=f"XRD-{i:05d}", sample=batch["id"])
        for rec in (batch, electrode, cell, scan):
            folder = records_dir / KINDS[rec["kind"]].kind_folder
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{rec['id']}.yaml").write_text(render(rec))


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def baseline(records_dir: Path) -> int:
    count = 0
    for path in discover(records_dir):
        raw = path.read_bytes()
        hashlib.sha256(raw).hexdigest()
        yaml.load(raw, Loader=yaml.CSafeLoader)
        count += 1
    return count


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "config.yaml").write_text("records_dir: records\nresults_dir: results\n")
        generate(root / "records", n)
        config = load_config(root / "config.yaml")
        t_base, count = timed(lambda: baseline(root / "records"))
        t_first, first = timed(lambda: ingest(config))
        t_noop, noop = timed(lambda: ingest(config))
        path = root / "records" / "batches" / "B-00007.yaml"
        path.write_text(path.read_text().replace("dwell_h: 6", "dwell_h: 7"))
        t_edit, edit = timed(lambda: ingest(config))
        assert len(first.added) == count and not noop.wrote and edit.modified == ["B-00007"]
        print(f"records: {count}")
        print(f"baseline read+hash+parse (libyaml): {t_base:6.2f} s")
        for label, t, target in [
            ("first ingest", t_first, "target < 20 s"),
            ("no-change re-ingest", t_noop, "target < 3 s"),
            ("one-record edit re-ingest", t_edit, ""),
        ]:
            print(f"{label + ':':35s} {t:6.2f} s  ({t / t_base:4.1f}x baseline) {target}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
