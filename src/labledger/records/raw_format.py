"""A cheap look at a raw file before any analysis: is it the kind of file its record says?

`labledger check` reads the first 4 KB of each raw file and compares them with what the
record's kind reads (the suffixes and signatures of labledger.xrd, .eis and .cycling readers).
A binary file where text is expected, a file of another instrument's format, an empty file or
an unsupported suffix is then a problem on the record's `raw_file` line, not a failed job later.
The full reading stays with the readers; this module imports nothing of them, so that `check`
stays fast.
"""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 4096

_ZIP = b"PK\x03\x04"
_MPR = b"BIO-LOGIC MODULAR FILE"
_NDA = b"NEWARE"
_BRUKER_RAW = (b"RAW1.01", b"RAW4.00", b"RAW ", b"RAW2")


def _text(head: bytes) -> bool:
    return b"\x00" not in head


def _xrdml(head: bytes) -> bool:
    return b"<xrdMeasurement" in head


# suffix -> (what it must be, test of the first bytes), per record kind
_XRD_TEXT = ("a text file of 2theta/intensity columns", _text)
_EIS_TEXT = ("a text impedance file (CSV/TXT, .mpt, .DTA, .z, .par)", _text)
_CELL_TEXT = ("a text export of the tester (CSV/TXT/.mpt)", _text)
EXPECTED: dict[str, dict[str, tuple[str, object]]] = {
    "xrd": {
        **{s: _XRD_TEXT for s in (".xy", ".xye", ".csv", ".txt", ".dat")},
        ".ras": ("a Rigaku RAS text file", _text),
        ".xrdml": ("PANalytical XRDML (XML with an <xrdMeasurements> root)", _xrdml),
        ".brml": ("a Bruker BRML zip archive", lambda h: h.startswith(_ZIP)),
        ".raw": (
            "a Bruker RAW file (starting 'RAW1.01' or 'RAW4.00')",
            lambda h: h.startswith(_BRUKER_RAW),
        ),
    },
    "eis": {
        ".mpr": (
            "a BioLogic .mpr file (starting 'BIO-LOGIC MODULAR FILE')",
            lambda h: h.startswith(_MPR),
        ),
        "*": _EIS_TEXT,
    },
    "cell": {
        **{s: _CELL_TEXT for s in (".csv", ".txt", ".tsv", ".mpt")},
        ".xlsx": ("an Excel .xlsx workbook (a zip archive)", lambda h: h.startswith(_ZIP)),
        ".xlsm": ("an Excel .xlsm workbook (a zip archive)", lambda h: h.startswith(_ZIP)),
        ".nda": ("a Neware .nda file (starting 'NEWARE')", lambda h: h.startswith(_NDA)),
        ".ndax": ("a Neware .ndax file (a zip archive)", lambda h: h.startswith(_ZIP)),
        ".mpr": (
            "a BioLogic .mpr file (starting 'BIO-LOGIC MODULAR FILE')",
            lambda h: h.startswith(_MPR),
        ),
    },
}


def _xrd_signature(head: bytes) -> bool:
    """Content the XRD reader recognises whatever the suffix (it reads by content first)."""
    return (
        head.startswith(_BRUKER_RAW)
        or head.startswith(_ZIP)
        or _xrdml(head)
        or head.lstrip().startswith((b"*RAS_DATA_START", b"*RAS_HEADER"))
    )


def raw_format_problem(kind: str, path: Path) -> str | None:
    """Why `path` cannot be a raw file of a `kind` record, or None when it looks right."""
    table = EXPECTED.get(kind)
    if table is None:
        return None
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        return "raw file is empty"
    suffix = path.suffix.lower()
    if kind == "xrd" and suffix in (".xy", ".xye", ".csv", ".txt", ".dat") and _xrd_signature(head):
        return None
    expected = table.get(suffix) or table.get("*")
    if expected is None:
        known = ", ".join(sorted(s for s in table if s != "*"))
        shown = suffix or "(no suffix)"
        return f"unsupported file type {shown!r} for a {kind} record; expected one of {known}"
    what, looks_right = expected
    if looks_right(head):  # type: ignore[operator]
        return None
    if looks_right is _text:
        return f"binary content (NUL bytes); expected {what}"
    return f"does not start like {what}: damaged, or another format under this suffix"
