"""Atomic writes: a write that fails half-way leaves the old file as it was, and no stray file."""

from __future__ import annotations

from pathlib import Path

import pytest

from labledger.atomic import write_text_atomic


def test_new_file_and_folders_are_written(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "page.html"
    assert write_text_atomic(target, "Li0.5La0.5TiO3 ✓\n") == target
    assert target.read_text(encoding="utf-8") == "Li0.5La0.5TiO3 ✓\n"
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    write_text_atomic(target, '{"old": true}\n')
    # a lone surrogate cannot be encoded: the write fails part-way through the text
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(target, '{"new": "' + "x" * 100_000 + "\ud800" + '"}\n')
    assert target.read_text(encoding="utf-8") == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]
