"""Which files the cycling readers read: suffixes, and the first bytes a binary export starts with.
One place for `labledger.cycling.readers` and for what `labledger check` expects of a cell
record's raw file; standard library only (no numpy, pandas or tester libraries)."""

from __future__ import annotations

from labledger.formats.signatures import by_signature

ZIP = b"PK\x03\x04"
BIOLOGIC_MPR = b"BIO-LOGIC MODULAR FILE"

TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".mpt")
TEXT_EXPECTED = "a text export of the tester (CSV/TXT/.mpt)"
# suffix -> (first bytes, what the file is)
SIGNATURES: dict[str, tuple[bytes, str]] = {
    ".xlsx": (ZIP, "an Excel .xlsx workbook (a zip archive)"),
    ".xlsm": (ZIP, "an Excel .xlsm workbook (a zip archive)"),
    ".nda": (b"NEWARE", "a Neware .nda file (starting 'NEWARE')"),
    ".ndax": (ZIP, "a Neware .ndax file (a zip archive)"),
    ".mpr": (BIOLOGIC_MPR, "a BioLogic .mpr file (starting 'BIO-LOGIC MODULAR FILE')"),
}
SUFFIXES = (*TEXT_SUFFIXES, *SIGNATURES)


def head_problem(suffix: str, head: bytes) -> str | None:
    """Why a file with this suffix and first bytes cannot be a cell record's raw file."""
    return by_signature(suffix, head, SIGNATURES, TEXT_SUFFIXES, TEXT_EXPECTED)
