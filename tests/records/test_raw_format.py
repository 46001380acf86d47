"""`check` looks at the first bytes of every raw file: the wrong kind of file is a problem on the
record's raw_file line, naming the raw file, before any analysis job runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labledger.records.raw_format import raw_format_problem
from labledger.records.store import check_store

TESTS = Path(__file__).resolve().parents[1]
NOT_DATA = (".md", ".json", ".py", ".yaml")


def _instrument_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix not in NOT_DATA)


# Real instrument files of the corpora, by the record kind that reads them
REAL = {
    "cell": _instrument_files(TESTS / "cycling" / "real"),
    "eis": _instrument_files(TESTS / "eis" / "real"),
    "xrd": _instrument_files(TESTS / "xrd" / "real"),
}


@pytest.mark.parametrize(
    ("kind", "path"),
    [(k, p) for k, paths in REAL.items() for p in paths],
    ids=lambda v: getattr(v, "name", v),
)
def test_real_instrument_files_pass(kind: str, path: Path) -> None:
    assert raw_format_problem(kind, path) is None


def test_the_check_knows_the_suffixes_the_readers_read() -> None:
    from labledger.cycling import readers
    from labledger.formats import cycling as formats

    assert set(readers._READERS) == set(formats.SUFFIXES)


def _problems(project, record: str, message: str):
    result = check_store(project.records)
    return [p for p in result.errors if p.path.endswith(record) and message in p.message]


def test_binary_file_under_a_text_suffix(project) -> None:
    """A Neware .nda saved as XRD-003.xy: an error on the raw_file line, with the raw path."""
    raw = project.records / "raw" / "xrd" / "XRD-003.xy"
    shutil.copyfile(TESTS / "cycling" / "real" / "neware_new_nda_file.nda", raw)
    (problem,) = _problems(project, "XRD-003.yaml", "binary content (NUL bytes)")
    text = (project.records / "xrd" / "XRD-003.yaml").read_text().splitlines()
    assert text[problem.line - 1].startswith("raw_file:")
    assert problem.field == "raw_file"
    assert problem.message.endswith("raw/xrd/XRD-003.xy")
    assert "2theta/intensity" in problem.message


def test_text_file_under_a_binary_suffix(project, tmp_path: Path) -> None:
    """A CSV export renamed .mpr is no BioLogic file."""
    record = project.records / "cells" / "C-001.yaml"
    raw = project.records / "raw" / "cells" / "C-001.csv"
    renamed = raw.with_suffix(".mpr")
    raw.rename(renamed)
    record.write_text(record.read_text().replace("C-001.csv", "C-001.mpr"))
    (problem,) = _problems(project, "C-001.yaml", "does not start like a BioLogic .mpr")
    assert problem.field == "raw_file"


def test_empty_file_and_unsupported_suffix(project) -> None:
    (project.records / "raw" / "eis" / "EIS-001.csv").write_bytes(b"")
    assert _problems(project, "EIS-001.yaml", "raw file is empty")
    record = project.records / "cells" / "C-002.yaml"
    raw = project.records / "raw" / "cells" / "C-002.csv"
    raw.rename(raw.with_suffix(".pdf"))
    record.write_text(record.read_text().replace("C-002.csv", "C-002.pdf"))
    (problem,) = _problems(project, "C-002.yaml", "unsupported file type '.pdf'; expected one of")
    assert ".ndax" in problem.message


def test_every_problem_of_the_store_at_once(project) -> None:
    """Two broken raw files in two records: both reported by one check."""
    (project.records / "raw" / "eis" / "EIS-002.csv").write_bytes(b"")
    (project.records / "raw" / "xrd" / "XRD-002.xy").write_bytes(b"\x00\x01" * 100)
    errors = check_store(project.records).errors
    assert {p.path.rsplit("/", 1)[1] for p in errors} == {"EIS-002.yaml", "XRD-002.yaml"}
