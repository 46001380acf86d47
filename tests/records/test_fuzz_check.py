"""Property-based: whatever is in a record file, `check` answers with problems, never a crash."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labledger.demo.records import demo_records
from labledger.records.store import check_store

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.dates()
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
TEMPLATES = demo_records()


def _check_one(folder: Path, name: str, content: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_bytes(content)
    result = check_store(folder.parent)
    for p in result.problems:
        assert p.line >= 1 and p.col >= 1 and p.message
        assert str(p).startswith(str(p.path))


@SETTINGS
@given(text=st.text(max_size=300))
def test_random_text(tmp_path_factory, text: str) -> None:
    folder = tmp_path_factory.mktemp("fuzz") / "records" / "batches"
    _check_one(folder, "B-001.yaml", text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_random_bytes(tmp_path_factory, raw: bytes) -> None:
    folder = tmp_path_factory.mktemp("fuzz") / "records" / "batches"
    _check_one(folder, "B-001.yaml", raw)


def _paths(data, prefix=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


@SETTINGS
@given(
    index=st.integers(min_value=0, max_value=len(TEMPLATES) - 1),
    choice=st.integers(min_value=0, max_value=10_000),
    value=values,
    extra_key=st.one_of(st.none(), st.text(max_size=12)),
)
def test_random_field_values(tmp_path_factory, index, choice, value, extra_key) -> None:
    record = copy.deepcopy(TEMPLATES[index])
    paths = list(_paths(record))
    path = paths[choice % len(paths)]
    node = record
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    if extra_key is not None:
        record[extra_key] = value
    try:
        text = yaml.safe_dump(record, allow_unicode=True)
    except yaml.YAMLError:
        return
    folder = tmp_path_factory.mktemp("fuzz") / "records" / "any"
    # the file keeps the template's name: a fuzzed id is the record's problem, not the file system's
    _check_one(folder, f"{TEMPLATES[index]['id']}.yaml", text.encode())


def test_non_finite_numbers_are_rejected(tmp_path) -> None:
    record = copy.deepcopy(TEMPLATES[0])
    record["precursors"][0]["mass_g"] = math.inf
    folder = tmp_path / "records" / "batches"
    folder.mkdir(parents=True)
    (folder / "B-001.yaml").write_text(yaml.safe_dump(record))
    [problem] = check_store(tmp_path / "records").errors
    assert problem.field == "precursors[0].mass_g"
