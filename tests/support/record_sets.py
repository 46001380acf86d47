"""Change sets for ingest tests: generated records and edits of the demo records on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from labledger.demo.records import render
from labledger.records.kinds import KINDS
from labledger.records.paths import discover

#: Demo records the generated ones copy: a batch, an electrode of it, a cell and an XRD scan.
TEMPLATES = {"batch": "B-003", "electrode": "E-003", "cell": "C-004", "xrd": "XRD-003"}


def _template(records_dir: Path, kind: str) -> dict:
    path = records_dir / KINDS[kind].kind_folder / f"{TEMPLATES[kind]}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def add_generated_records(records_dir: Path, n: int, first_number: int = 10_000) -> list[str]:
    """Write about `n` new valid records (a quarter of each kind, referencing each other and
    the demo raw files) into a folder holding the demo records; returns their ids."""
    templates = {kind: _template(records_dir, kind) for kind in TEMPLATES}
    ids = []
    for i in range(max(1, n // 4)):
        number = first_number + i
        batch = dict(templates["batch"], id=f"B-{number}", li2co3_excess_pct=i % 21)
        electrode = dict(
            templates["electrode"], id=f"E-{number}", batch=batch["id"], cnt_wt_pct=10 + i % 20
        )
        cell = dict(templates["cell"], id=f"C-{number}", working_electrode=electrode["id"])
        scan = dict(templates["xrd"], id=f"XRD-{number}", sample=batch["id"])
        for rec in (batch, electrode, cell, scan):
            folder = records_dir / KINDS[rec["kind"]].kind_folder
            (folder / f"{rec['id']}.yaml").write_text(render(rec), encoding="utf-8")
            ids.append(rec["id"])
    return ids


def record_path(records_dir: Path, record_id: str) -> Path:
    """The file of a record by id (searched in every kind folder)."""
    found = list(records_dir.rglob(f"{record_id}.yaml"))
    assert len(found) == 1, f"{record_id}: {found}"
    return found[0]


def edit_note(records_dir: Path, record_id: str, note: str) -> None:
    """Change a record's free-text notes (a valid edit of any kind)."""
    path = record_path(records_dir, record_id)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notes"] = note
    path.write_text(render(data), encoding="utf-8")


def folder_state(records_dir: Path) -> dict[str, str]:
    """Record id -> sha256 of its file, for every record file in the folder."""
    return {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in discover(records_dir)}
