"""A cheap look at a raw file before any analysis: is it the kind of file its record says?

`labledger check` reads the first 4 KB of each raw file and asks the record kind's own format
table (`labledger.formats.xrd`, `.eis`, `.cycling`, the tables its readers use)
whether it can be read: an empty file, a binary file where text is expected, a file that does
not start like its suffix says, or an unsupported suffix is then a problem on the record's
`raw_file` line, not a failed job later. The format tables import nothing heavy, so `check`
stays fast; the full reading stays with the readers.
"""

from __future__ import annotations

from pathlib import Path

from labledger.formats import cycling as cycling_formats
from labledger.formats import eis as eis_formats
from labledger.formats import xrd as xrd_formats

HEAD_BYTES = 4096


def _binary(head: bytes) -> bool:
    return b"\x00" in head


def _by_signature(
    suffix: str,
    head: bytes,
    signatures: dict[str, tuple[bytes, str]],
    text_suffixes: tuple[str, ...] | None,
    text_expected: str,
) -> str | None:
    """Binary suffixes must start with their signature, text suffixes (`None`: any other
    suffix) must hold no NUL byte."""
    if suffix in signatures:
        start, what = signatures[suffix]
        if head.startswith(start):
            return None
        return f"does not start like {what}: damaged, or another format under this suffix"
    if text_suffixes is not None and suffix not in text_suffixes:
        known = ", ".join(sorted((*text_suffixes, *signatures)))
        return f"unsupported file type {suffix or '(no suffix)'!r}; expected one of {known}"
    return f"binary content (NUL bytes); expected {text_expected}" if _binary(head) else None


def raw_format_problem(kind: str, path: Path) -> str | None:
    """Why `path` cannot be a raw file of a `kind` record, or None when it looks right."""
    if kind not in ("xrd", "eis", "cell"):
        return None
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        return "raw file is empty"
    suffix = path.suffix.lower()
    if kind == "xrd":
        fmt, why = xrd_formats.identify(suffix, head)
        if fmt in xrd_formats.TEXT_FORMATS:
            why = xrd_formats.binary_problem(fmt, head)
        return why
    if kind == "eis":
        return _by_signature(suffix, head, eis_formats.SIGNATURES, None, eis_formats.TEXT_EXPECTED)
    return _by_signature(
        suffix,
        head,
        cycling_formats.SIGNATURES,
        cycling_formats.TEXT_SUFFIXES,
        cycling_formats.TEXT_EXPECTED,
    )
