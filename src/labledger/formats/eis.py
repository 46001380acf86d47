"""Which files the impedance reader reads: BioLogic .mpr by its first bytes, everything else as
text. One place for `labledger.eis.readers` and for what `labledger check` expects of an eis
record's raw file; standard library only."""

from __future__ import annotations

from labledger.formats.signatures import by_signature

TEXT_EXPECTED = "a text impedance file (CSV/TXT, .mpt, .DTA, .z, .par) or a BioLogic .mpr"
# suffix -> (first bytes, what the file is); any other suffix is read as text
SIGNATURES: dict[str, tuple[bytes, str]] = {
    ".mpr": (b"BIO-LOGIC MODULAR FILE", "a BioLogic .mpr file (starting 'BIO-LOGIC MODULAR FILE')"),
}


def head_problem(suffix: str, head: bytes) -> str | None:
    """Why a file with this suffix and first bytes cannot be an eis record's raw file."""
    return by_signature(suffix, head, SIGNATURES, None, TEXT_EXPECTED)
