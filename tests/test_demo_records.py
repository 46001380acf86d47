"""The shipped demo records are exactly what the generator writes."""

from __future__ import annotations

from pathlib import Path

from labledger.demo.records import write_demo_records

REPO = Path(__file__).resolve().parents[1]


def test_committed_demo_records_match_the_generator(tmp_path) -> None:
    written = write_demo_records(tmp_path)
    for path in written:
        shipped = REPO / "records" / path.relative_to(tmp_path)
        assert shipped.is_file(), f"{shipped} missing; run `python -m labledger.demo records`"
        assert shipped.read_text() == path.read_text(), f"{shipped} differs from the generator"


def test_demo_records_are_labelled_synthetic(tmp_path) -> None:
    for path in write_demo_records(tmp_path):
        text = path.read_text()
        assert "SYNTHETIC" in text and "synthetic: true" in text
