"""git state of the project: asked of git, or taken from what the workflow asked once per run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from labledger.gitinfo import GIT_STATE_ENV, git_state, git_state_env

pytestmark = pytest.mark.no_database


def _repo(root: Path) -> str:
    root.mkdir()
    run = lambda *a: subprocess.run(["git", "-C", str(root), *a], check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (root / "a.yaml").write_text("id: A\n")
    run("add", ".")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    return run("rev-parse", "HEAD").stdout.decode().strip()


def test_git_state_of_a_work_tree_and_outside(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(GIT_STATE_ENV, raising=False)
    head = _repo(tmp_path / "lab")
    assert git_state(tmp_path / "lab") == (head, False)
    (tmp_path / "lab" / "a.yaml").write_text("id: A\nnote: edited\n")
    assert git_state(tmp_path / "lab") == (head, True)
    (tmp_path / "plain").mkdir()
    assert git_state(tmp_path / "plain") == (None, None)


def test_the_workflow_s_state_is_used_for_its_folder_only(tmp_path, monkeypatch) -> None:
    head = _repo(tmp_path / "lab")
    monkeypatch.setenv(GIT_STATE_ENV, git_state_env(tmp_path / "lab"))
    assert json.loads(git_state_env(tmp_path / "lab"))["commit"] == head
    # the run's state holds while the run lasts, even if git would now say otherwise
    (tmp_path / "lab" / "a.yaml").write_text("id: A\nnote: edited after the run began\n")
    assert git_state(tmp_path / "lab") == (head, False)
    other = tmp_path / "other"
    other_head = _repo(other)
    assert git_state(other) == (other_head, False)  # another folder: git is asked
    monkeypatch.setenv(GIT_STATE_ENV, "not json")
    assert git_state(tmp_path / "lab") == (head, True)
