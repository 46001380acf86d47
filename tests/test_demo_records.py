"""The shipped demo records and raw files are exactly what the generator writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from labledger.demo.records import write_demo_raw, write_demo_records

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "records"
    write_demo_records(folder, write_demo_raw(folder))
    return folder


def _xlsx_cells(path: Path) -> list[tuple]:
    """Cell values of every sheet: .xlsx files carry save times, so bytes differ run to run."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return [
            (ws.title, *row) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
        ]
    finally:
        book.close()


def _xy_counts(path: Path) -> list[tuple[float, float]]:
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            rows.append((float(parts[0]), float(parts[1])))
    return rows


def _same_scan(shipped: Path, fresh: Path) -> bool:
    """Synthetic scans are drawn from pymatgen intensities: another pymatgen release may move a
    Poisson draw by a count or two, which is no drift of the demo set."""
    a, b = _xy_counts(shipped), _xy_counts(fresh)
    return len(a) == len(b) and all(
        ta == tb and abs(ca - cb) <= 3 * max(ca, 1.0) ** 0.5 + 2
        for (ta, ca), (tb, cb) in zip(a, b, strict=True)
    )


def test_committed_demo_files_match_the_generator(generated: Path) -> None:
    files = sorted(p for p in generated.rglob("*") if p.is_file())
    assert len(files) > 50
    for path in files:
        shipped = REPO / "records" / path.relative_to(generated)
        assert shipped.is_file(), f"{shipped} missing; run `python -m labledger.demo records`"
        if path.suffix == ".xlsx":
            assert _xlsx_cells(shipped) == _xlsx_cells(path), f"{shipped} differs"
        elif path.suffix == ".xy":
            assert _same_scan(shipped, path), f"{shipped} differs from the generator"
        else:
            assert shipped.read_bytes() == path.read_bytes(), (
                f"{shipped} differs from the generator"
            )


def test_demo_records_are_labelled_synthetic(generated: Path) -> None:
    for path in generated.rglob("*.yaml"):
        text = path.read_text()
        assert "SYNTHETIC" in text and "synthetic: true" in text
    for path in [*(generated / "raw").rglob("*.csv"), *(generated / "raw").rglob("*.xy")]:
        head = path.read_text(encoding="utf-8", errors="replace")[:400].lower()
        assert "synthetic" in head, path
