"""`relative_path` gives exactly what os.path.relpath gives, by a quicker road."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labledger.records.paths import relative_path

PATHS = [
    "records/xrd/XRD-001.yaml",
    "records/raw/xrd/XRD-001.xy",
    "records//xrd/./a.yaml",
    "records/../other/b.yaml",
    "./records/a.yaml",
    "records",
    "recordsX/a.yaml",
    "a.yaml",
    "..",
    ".",
    "../up/a.yaml",
    "/",
    "/tmp/x",
    "/tmp/x/",
    "/tmp/x/y/z.txt",
]
STARTS = [".", "", "records", "records/", "./records", "records/xrd", "records/raw/xrd", "..",
          "../up", "/", "/tmp", "/tmp/x", "/abs/records"]  # fmt: skip


@pytest.mark.parametrize("start", STARTS)
def test_same_as_relpath(start: str) -> None:
    for path in PATHS:
        assert relative_path(path, start) == os.path.relpath(path, start or "."), (path, start)
        assert relative_path(Path(path), Path(start)) == os.path.relpath(path, start or ".")


def test_follows_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "c").mkdir()
    answers = set()
    for here in ("a/b", "c", "a/b"):
        monkeypatch.chdir(tmp_path / here)
        got = relative_path("x.yaml", "..")
        assert got == os.path.relpath("x.yaml", "..")
        answers.add(got)
    assert answers == {"b/x.yaml", "c/x.yaml"}  # not a cached answer from another folder
