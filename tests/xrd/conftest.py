"""Shared fixtures of the XRD tests: reference patterns built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labledger.xrd.phases import default_phases

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Keep the default reference cache of these tests out of the user's home."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(scope="session")
def references_file(tmp_path_factory) -> Path:
    """All shipped phases built by `build_references` (pymatgen), once per session."""
    from labledger.xrd.references import build_references

    out = tmp_path_factory.mktemp("refs") / "references.json"
    return build_references(default_phases(), out)


@pytest.fixture(scope="session")
def refs(references_file):
    from labledger.xrd.refcache import resolve_references

    return resolve_references(default_phases(), references_file)
