"""Fuzz record files through `labledger check` and `labledger ingest`.

Each example edits one of the demo records (bytes or YAML constructs) in a project holding all
of them. Contract: `check` answers with well-formed problems (`path:line:col: field: message`,
one line each) and never raises; an invalid file always gets an error naming it; a failing
ingest leaves the database exactly as it was; the CLI exits 1 without a traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from fuzz.mutations import Hang, clear_error_or_result, fuzz_settings, mutated, time_limit
from labledger.db.ingest import ingest
from labledger.errors import LabledgerError, RecordsInvalid
from labledger.records.store import CheckResult, check_store
from support.databases import snapshot

REPO = Path(__file__).resolve().parents[2]
RECORDS = sorted(
    str(p.relative_to(REPO / "records"))
    for p in (REPO / "records").rglob("*.yaml")
    if "raw" not in p.parts
)

#: YAML constructs to splice in at the start of a line.
YAML_PIECES = [
    "x: &a [1, 2]\ny: *a\n",
    "<<: {kind: batch}\n",
    "id: !!python/object/apply:os.system ['echo unsafe']\n",
    "steps: !!python/object:collections.OrderedDict {}\n",
    "notes: !!binary aGVsbG8=\n",
    "---\n",
    "...\n",
    "\tdate: 2025-01-01\n",
    "? [a, b]\n: c\n",
    "id: B-001\n",
    "kind: cell\n",
    "date: 2025-02-30\n",
    "date: 10000-01-01\n",
    "mass_g: .nan\n",
    "mass_g: -.inf\n",
    "temperature_C: 1e400\n",
    f"temperature_C: {10**40}\n",
    "area_cm2: -1\n",
    "precursors: {}\n",
    "steps: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
    "notes: " + "x" * 100_000 + "\n",
    "- a\n- b\n",
    "'unclosed: \"\n",
    "~: null\n",
    "%YAML 1.1\n---\n",
    "\ufeffid: B-001\n",
]


@st.composite
def yaml_edited(draw, seed: bytes) -> bytes:  # type: ignore[no-untyped-def]
    """`seed` with one YAML construct spliced in at the start of a random line."""
    lines = seed.decode("utf-8").splitlines(keepends=True)
    i = draw(st.integers(0, len(lines)))
    piece = draw(st.sampled_from(YAML_PIECES))
    indent = " " * draw(st.sampled_from([0, 0, 2, 4]))
    return "".join([*lines[:i], indent + piece, *lines[i:]]).encode("utf-8")


def _edited(seed: bytes) -> st.SearchStrategy[bytes]:
    return mutated(seed) | yaml_edited(seed)


def _yaml_is_broken(raw: bytes) -> bool | None:
    """Whether a plain YAML loader (or UTF-8 decoding) fails on `raw`; None: it cannot tell."""
    try:
        text = raw.decode("utf-8")
        with time_limit(2):
            data = yaml.load(text.removeprefix("\ufeff"), Loader=yaml.CSafeLoader)
    except RecursionError:
        return None
    except Exception:
        return True
    except Hang:
        return None
    return not isinstance(data, dict)


def _assert_well_formed(result: CheckResult, path: Path, raw: bytes) -> None:
    n_lines = raw.count(b"\n") + 1
    for p in result.problems:
        assert p.message and "\n" not in str(p), f"not one line: {str(p)!r}"
        assert p.line >= 1 and p.col >= 1, str(p)
        assert len(str(p)) < 2000, f"message of {len(str(p))} characters"
        if Path(p.path).name == path.name:
            assert p.line <= n_lines + 1, f"line {p.line} of a {n_lines}-line file: {p}"
    if _yaml_is_broken(raw) is True:
        mine = [p for p in result.errors if Path(p.path).name == path.name]
        assert mine, f"{path.name} is not valid YAML but check reports no error for it"


def _check(records: Path, rel: str, raw: bytes) -> CheckResult:
    path = records / rel
    original = path.read_bytes()
    path.write_bytes(raw)
    try:
        with time_limit():
            result = check_store(records)
        _assert_well_formed(result, path, raw)
        return result
    finally:
        path.write_bytes(original)


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the demo records for the module's `check` cases (each restores its file)."""
    folder = tmp_path_factory.mktemp("lab") / "records"
    shutil.copytree(REPO / "records", folder)
    return folder


@fuzz_settings(examples=80)
@given(data=st.data(), rel=st.sampled_from(RECORDS))
def test_check_never_crashes(records, data, rel: str) -> None:
    raw = data.draw(_edited((records / rel).read_bytes()), label="record file")
    result = _check(records, rel, raw)
    event("errors" if result.errors else "valid")


# ---------------------------------------------------------------- explicit cases on one record

B001 = (REPO / "records" / "batches" / "B-001.yaml").read_bytes()
_TEXT = B001.decode()


def _laughs(levels: int = 9) -> bytes:
    lines = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return (_TEXT + "\n".join(lines) + "\n").encode()


#: name -> (file content, what check must say: "error" or "ok").
CASES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "error"),
    "comments-only": (b"# nothing here\n", "error"),
    "bom": (b"\xef\xbb\xbf" + B001, "ok"),
    "two-boms-only": (b"\xef\xbb\xbf\xef\xbb\xbf", "error"),
    "utf16": (_TEXT.encode("utf-16"), "error"),
    "latin1-byte": (B001.replace(b"A. Chen", b"A. Ch\xe9n"), "error"),
    "nul-byte": (B001.replace(b"A. Chen", b"A.\x00Chen"), "error"),
    "tab-indent": (B001.replace(b"  mass_g: 1.8472", b"\tmass_g: 1.8472"), "error"),
    "duplicate-key": (B001 + b"date: 2025-01-07\n", "error"),
    "billion-laughs": (_laughs(), "error"),
    "scalar-alias": (
        B001.replace(b"operator: A. Chen", b"operator: &who A. Chen") + b"notes: *who\n",
        "error",  # notes is given twice
    ),
    "merge-key": (B001 + b"<<: {notes: merged}\n", "error"),
    "deep-flow-nesting": (B001 + b"extra: " + b"[" * 990 + b"]" * 990 + b"\n", "error"),
    "deeper-than-libyaml": (B001 + b"extra: " + b"[" * 5000 + b"]" * 5000 + b"\n", "error"),
    "deep-block-nesting": (
        B001 + "".join(" " * i + f"k{i}:\n" for i in range(995)).encode() + b" " * 995 + b"v\n",
        "error",
    ),
    "python-object": (
        B001.replace(b"operator: A. Chen", b"operator: !!python/object:os.system {}"),
        "error",
    ),
    "python-apply": (
        B001.replace(b"operator: A. Chen", b"operator: !!python/object/apply:os.system ['exit 3']"),
        "error",
    ),
    "python-tag-on-list": (
        B001.replace(b"precursors:\n", b"precursors: !!python/object/new:list\n"),
        "error",
    ),
    "set-tag-on-mapping": (
        B001.replace(b"protocol:", b"protocol: !!set").replace(
            b"steps:\n- type: ball_mill\n", b"steps:\n- !!set\n  type: ball_mill\n", 1
        ),
        "error",
    ),
    "python-name": (
        B001.replace(b"operator: A. Chen", b"operator: !!python/name:os.system ''"),
        "error",
    ),
    "multiple-documents": (B001 + b"---\n" + B001, "error"),
    "document-end-marker": (B001 + b"...\n", "ok"),
    "huge-float": (B001.replace(b"mass_g: 1.8472", b"mass_g: 1e400"), "error"),
    "huge-int": (B001.replace(b"temperature_C: 800", b"temperature_C: " + b"9" * 5000), "error"),
    "nan": (B001.replace(b"mass_g: 1.8472", b"mass_g: .nan"), "error"),
    "minus-inf": (B001.replace(b"mass_g: 1.8472", b"mass_g: -.inf"), "error"),
    "negative": (B001.replace(b"mass_g: 1.8472", b"mass_g: -1.8472"), "error"),
    "wrong-type": (B001.replace(b"mass_g: 1.8472", b"mass_g: [1.8472]"), "error"),
    "string-number": (B001.replace(b"mass_g: 1.8472", b"mass_g: one point eight"), "error"),
    "very-long-string": (
        B001.replace(b"operator: A. Chen", b"operator: " + b"x" * 1_000_000),
        "either",
    ),
    "very-long-wrong-type": (
        B001.replace(b"mass_g: 1.8472", b"mass_g: " + b"x" * 1_000_000),
        "error",
    ),
    "impossible-date": (B001.replace(b"date: 2025-01-06", b"date: 2025-02-30"), "error"),
    "date-as-text": (B001.replace(b"date: 2025-01-06", b"date: last tuesday"), "error"),
    "datetime": (B001.replace(b"date: 2025-01-06", b"date: 2025-01-06T10:00:00Z"), "either"),
    "top-level-list": (b"- id: B-001\n- kind: batch\n", "error"),
    "top-level-scalar": (b"B-001\n", "error"),
    "null-key": (B001 + b"~: x\n", "error"),
    "complex-key": (B001 + b"? [a, b]\n: c\n", "error"),
    "truncated-mid-key": (B001[: B001.index(b"purity_pct") + 4], "error"),
    "unknown-kind": (B001.replace(b"kind: batch", b"kind: " + b"z" * 10_000), "error"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_record_cases(records, case: str) -> None:
    raw, expect = CASES[case]
    path = records / "batches" / "B-001.yaml"
    result = _check(records, "batches/B-001.yaml", raw)
    mine = [p for p in result.errors if Path(p.path).name == path.name]
    if expect == "error":
        assert mine, f"no error for {case}"
    elif expect == "ok":
        assert not result.errors, [str(p) for p in result.errors]


def test_python_tags_never_run(records, tmp_path) -> None:
    marker = tmp_path / "ran"
    raw = B001.replace(
        b"operator: A. Chen",
        f"operator: !!python/object/apply:os.system ['touch {marker}']".encode(),
    )
    result = _check(records, "batches/B-001.yaml", raw)
    assert result.errors and not marker.exists()


# ------------------------------------------------------------------------------ ingest


@pytest.fixture
def ingested(project) -> dict:
    """The project's demo records ingested; "baseline" is the database's content (snapshot)."""
    ingest(project.config())
    return {"project": project, "baseline": snapshot(project.database_url)}


@pytest.mark.database
@fuzz_settings(examples=30)
@given(data=st.data(), rel=st.sampled_from(RECORDS))
def test_failing_ingest_writes_nothing(ingested, data, rel: str) -> None:
    """A database holding the demo records is unchanged by any ingest that fails."""
    project = ingested["project"]
    config = project.config()
    path = project.records / rel
    original = path.read_bytes()
    path.write_bytes(data.draw(_edited(original), label="record file"))
    try:
        got = clear_error_or_result(lambda: ingest(config), path)
    finally:
        path.write_bytes(original)
    after = snapshot(project.database_url)
    event("ingest refused" if isinstance(got, LabledgerError) else "ingest wrote")
    if isinstance(got, LabledgerError):
        assert isinstance(got, RecordsInvalid), got
        assert after == ingested["baseline"], "a failing ingest changed the database"
    else:
        ingested["baseline"] = after


@pytest.mark.database
@pytest.mark.parametrize("case", ["billion-laughs", "python-apply"])
@pytest.mark.parametrize("command", ["check", "ingest"])
def test_cli_reports_bad_records(project, cli, case: str, command: str) -> None:
    (project.records / "batches" / "B-001.yaml").write_bytes(CASES[case][0])
    with time_limit():
        result = cli(command, cwd=project.root)
    out = result.out + result.err
    assert result.code == 1
    assert "Traceback" not in out and "B-001.yaml:" in out
    assert all(len(line) < 2000 for line in out.splitlines())
