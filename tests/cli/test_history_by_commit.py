"""History by git commit in the README's order: edit, ingest (`snakemake`), then `git commit`.

The revision is ingested while its change is not yet committed, so HEAD at ingest is the commit
before; it must still be found by the commit that holds it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def lab(project) -> object:
    git(project.root, "init", "-q")
    git(project.root, "config", "user.email", "lab@example.org")
    git(project.root, "config", "user.name", "Lab")
    git(project.root, "add", ".")
    git(project.root, "commit", "-q", "-m", "demo records")
    return project


def test_a_revision_is_found_by_the_commit_made_after_its_ingest(lab, cli) -> None:
    assert cli("ingest", cwd=lab.root).code == 0
    first = git(lab.root, "rev-parse", "HEAD")
    path = lab.records / "batches" / "B-005.yaml"
    path.write_text(path.read_text().replace("temperature_C: 1150", "temperature_C: 1200"))
    assert cli("ingest", cwd=lab.root).code == 0  # before the commit: HEAD is still `first`
    git(lab.root, "commit", "-q", "-am", "B-005 sintered at 1200 C")
    second = git(lab.root, "rev-parse", "HEAD")

    now = cli("history", "B-005", "--at", second[:8], cwd=lab.root)
    assert now.code == 0, now.err
    assert now.out.splitlines()[0].startswith(f"# B-005 at commit {second[:10]}: revision 2")
    assert "temperature_C: 1200" in now.out
    before = cli("history", "B-005", "--at", first, cwd=lab.root)
    assert before.code == 0 and "revision 1" in before.out.splitlines()[0]
    assert "temperature_C: 1150" in before.out and "temperature_C: 1200" not in before.out

    # the README's SQL finds it by git's content id of the file at that commit
    blob = git(lab.root, "rev-parse", f"{second}:records/batches/B-005.yaml")
    sql = f"SELECT revision FROM record_revision WHERE record_id = 'B-005' AND git_blob = '{blob}'"
    assert json.loads(cli("sql", sql, "--json", cwd=lab.root).out) == [{"revision": 2}]

    # and `report changes` between the two commits is the edit
    changes = cli("report", "changes", first, second, "--json", cwd=lab.root)
    assert changes.code == 0, changes.err
    [record] = json.loads(changes.out)["records"]
    assert record["record_id"] == "B-005" and record["change"] == "edited"
    assert record["fields"] == ["steps[3].temperature_C: 1150 -> 1200"]


def test_a_commit_without_an_ingest_of_its_version_says_so(lab, cli) -> None:
    assert cli("ingest", cwd=lab.root).code == 0
    path = lab.records / "batches" / "B-005.yaml"
    path.write_text(path.read_text().replace("temperature_C: 1150", "temperature_C: 1175"))
    git(lab.root, "commit", "-q", "-am", "never ingested")
    result = cli("history", "B-005", "--at", "HEAD", cwd=lab.root)
    assert result.code == 1
    assert "holds a version of B-005 that was never ingested" in result.err
    unknown = cli("history", "B-005", "--at", "no-such-branch", cwd=lab.root)
    assert unknown.code == 1 and "names no commit" in unknown.err
    assert "Traceback" not in result.err + unknown.err
