"""What the fuzz tests share: settings profiles, byte mutations of real files, a hang guard and
the contract every case is held to.

Profiles (HYPOTHESIS_PROFILE): `default` (moderate example counts, derandomized so CI and local
runs are reproducible), `long` (ten times the examples, random seeds: for exploring). Every
profile keeps hypothesis' example database off, so no .hypothesis folder is written.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from labledger.errors import LabledgerError

T = TypeVar("T")

#: Seconds one reader call or check may take before it counts as a hang (the slowest real case
#: here, a full ingest on PostgreSQL, takes well under a second).
HANG_S = 20
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
if PROFILE not in ("default", "long"):
    raise ValueError(f"HYPOTHESIS_PROFILE must be default or long, not {PROFILE!r}")
_SCALE = 10 if PROFILE == "long" else 1


def fuzz_settings(examples: int) -> settings:
    """Settings for one fuzz target: `examples` in the default profile, 10x with `long`."""
    return settings(
        max_examples=examples * _SCALE,
        deadline=timedelta(seconds=HANG_S / 2),
        derandomize=PROFILE != "long",
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        print_blob=True,
    )


class Hang(BaseException):
    """A call ran past its time limit (a BaseException, so no `except Exception` hides it)."""


@contextmanager
def time_limit(seconds: float = HANG_S) -> Iterator[None]:
    """Raise `Hang` in the main thread when the block runs longer than `seconds`."""

    def _alarm(signum, frame):  # type: ignore[no-untyped-def]
        raise Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def clear_error_or_result(call: Callable[[], T], path: Path) -> T | LabledgerError:
    """Run `call` under the hang guard: return its result, or the LabledgerError it raised after
    checking that the message names the file. Any other exception fails the test."""
    try:
        with time_limit():
            return call()
    except LabledgerError as err:
        message = str(err)
        assert path.name in message, f"error does not name {path.name}: {message}"
        assert "Traceback" not in message
        return err


# ------------------------------------------------------------------------------ mutations

#: Bytes that break parsers in known ways: encodings, separators, XML, numbers out of range.
SPECIAL = [
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3(",
    b"\x00",
    b"\t",
    b"\r",
    b"\n",
    b"\n\n",
    b",",
    b";",
    b'"',
    b"'",
    b"#",
    b"*",
    b"<",
    b"&",
    b"]]>",
    b"<!--",
    b"-",
    b".",
    b"e",
    b"nan",
    b"inf",
    b"-inf",
    b"1e308",
    b"1e999",
    b"-1e308",
    b"0",
    b" ",
]
#: Replacements for a number: huge, tiny, non-finite, negative, zero, not a number.
NUMBERS = [
    b"1e308",
    b"-1e308",
    b"1e999",
    b"1e-320",
    b"nan",
    b"NaN",
    b"inf",
    b"-inf",
    b"-1",
    b"0",
    b"-0",
    b"99999999999999999999999",
    b"1,5",
    b"x",
    b"",
]
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _truncate(draw, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    return data[: draw(st.integers(0, len(data)))]


def _flip(draw, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    if not data:
        return data
    i = draw(st.integers(0, len(data) - 1))
    return data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]


def _insert(draw, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    i = draw(st.integers(0, len(data)))
    piece = draw(st.sampled_from(SPECIAL) | st.binary(min_size=1, max_size=12))
    return data[:i] + piece + data[i:]


def _delete(draw, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    i = draw(st.integers(0, len(data)))
    j = draw(st.integers(i, min(len(data), i + 64)))
    return data[:i] + data[j:]


def _number(draw, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    spans = [m.span() for m in _NUMBER.finditer(data, 0, 200_000)]
    if not spans:
        return data
    a, b = spans[draw(st.integers(0, len(spans) - 1))]
    return data[:a] + draw(st.sampled_from(NUMBERS)) + data[b:]


def _lines(draw, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    """Repeat, drop or reverse lines: duplicate rows, holes, decreasing x."""
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(["repeat", "drop", "reverse", "keep_one"]))
    if how == "repeat":
        lines.insert(i, lines[i])
    elif how == "drop":
        del lines[i]
    elif how == "reverse":
        lines[i:] = lines[i:][::-1]
    else:
        lines = lines[:i] + lines[i : i + 1]
    return b"\n".join(lines)


def _reencode(draw, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "cp1252", "utf-8-sig"]))
    return data.decode("utf-8", "replace").encode(encoding, "replace")


_OPS = [_truncate, _flip, _insert, _delete, _number, _lines, _reencode]


@st.composite
def mutated(draw, seed: bytes, max_ops: int = 3) -> bytes:  # type: ignore[no-untyped-def]
    """`seed` after one to `max_ops` random edits (truncation, bit flips, inserted special
    bytes, replaced numbers, repeated/dropped/reversed lines, another text encoding)."""
    data = seed
    for _ in range(draw(st.integers(1, max_ops))):
        data = draw(st.sampled_from(_OPS))(draw, data)
    return data


def seed_head(path: Path, n_lines: int) -> bytes:
    """The first `n_lines` lines of a real file, as a small seed."""
    return b"".join(path.read_bytes().splitlines(keepends=True)[:n_lines])
