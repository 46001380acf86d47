"""`labledger analyze ID --record PATH`: the workflow names the record file; no search."""

from __future__ import annotations

import json
import shutil


def test_analyze_takes_the_record_file_it_is_given(project, cli) -> None:
    records = project.root / "records"
    moved = project.root / "elsewhere" / "C-001.yaml"
    moved.parent.mkdir()
    shutil.copy(records / "cells" / "C-001.yaml", moved)
    text = moved.read_text()
    raw = next(
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("raw_file:")
    )
    moved.write_text(text.replace(raw, str((records / "cells" / raw).resolve())))
    out = project.root / "out.json"
    done = cli("analyze", "C-001", "--record", str(moved), "--out", str(out), cwd=project.root)
    assert done.code == 0, done.err
    envelope = json.loads(out.read_text())
    assert envelope["record_id"] == "C-001"
    assert [i["path"] for i in envelope["inputs"] if i["role"] == "record"] == [
        "elsewhere/C-001.yaml"
    ]


def test_a_record_file_of_another_id_is_refused(project, cli) -> None:
    other = project.root / "records" / "cells" / "C-002.yaml"
    bad = cli("analyze", "C-001", "--record", str(other), cwd=project.root)
    assert bad.code == 1 and "holds record C-002, not C-001" in bad.err
