"""Which files the XRD readers read: suffixes, and the first bytes that give a format away.

One place for what `labledger.xrd.readers` reads and what `labledger check` expects of an xrd
record's raw file. Standard library only, so that `check` can look at every raw file without
numpy.
"""

from __future__ import annotations

TEXT_SUFFIXES = (".xy", ".xye", ".csv", ".txt", ".dat")
SUFFIX_FORMATS = {
    **{s: "xy" for s in TEXT_SUFFIXES},
    ".xrdml": "xrdml",
    ".ras": "ras",
    ".brml": "brml",
    ".raw": "raw",
}
SUPPORTED = ", ".join(sorted(SUFFIX_FORMATS))
FORMATS = ("xy", "xrdml", "ras", "brml", "raw")
NAMES = {
    "xy": "text column",
    "xrdml": "PANalytical XRDML",
    "ras": "Rigaku RAS",
    "brml": "Bruker BRML",
    "raw": "Bruker RAW",
}
HINTS = {
    "xrdml": "expected XML with an <xrdMeasurements> root",
    "brml": "expected a zip archive holding Experiment0/RawData0.xml",
    "raw": "expected a binary file starting with 'RAW1.01' (v3) or 'RAW4.00' (v4)",
}
# Formats whose suffix promises a signature: a file under it without one is damaged.
_SIGNED = ("raw", "brml", "xrdml")
# the text formats, by what a reader expects to find in them
TEXT_FORMATS = {"xy": "2theta/intensity column", "ras": "Rigaku RAS"}


def sniff(data: bytes) -> str | None:
    """The format the first bytes give away (binary and XML formats, RAS), else None."""
    head = data[:4096]
    if head.startswith((b"RAW1.01", b"RAW4.00", b"RAW ", b"RAW2")):
        return "raw"
    if head.startswith(b"PK\x03\x04"):
        return "brml"
    if b"<xrdMeasurements" in head or b"<xrdMeasurement " in head:
        return "xrdml"
    if head.lstrip().startswith(b"*RAS_DATA_START") or head.lstrip().startswith(b"*RAS_HEADER"):
        return "ras"
    return None


def identify(suffix: str, head: bytes) -> tuple[str | None, str | None]:
    """(format, None) for a file of this suffix starting with `head`, or (None, why not)."""
    suffix = suffix.lower()
    fmt = sniff(head) or SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        return (
            None,
            f"unsupported file type '{suffix or '(no suffix)'}'; expected one of {SUPPORTED}",
        )
    expected = SUFFIX_FORMATS.get(suffix)
    if expected in _SIGNED and fmt != expected:
        return None, f"damaged or not a {NAMES[expected]} file ({HINTS[expected]})"
    return fmt, None


def binary_problem(fmt: str, data: bytes) -> str | None:
    """Why `data` cannot be a file of the text format `fmt` (it holds NUL bytes), or None."""
    if b"\x00" in data:
        return f"binary content (NUL bytes); expected a {TEXT_FORMATS[fmt]} text file"
    return None


def head_problem(suffix: str, head: bytes) -> str | None:
    """Why a file with this suffix and first bytes cannot be an xrd record's raw file."""
    fmt, why = identify(suffix, head)
    if fmt in TEXT_FORMATS:
        why = binary_problem(fmt, head)
    return why
