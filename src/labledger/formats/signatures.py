"""The check every format table shares: binary suffixes start with their signature, text ones
hold no NUL byte."""

from __future__ import annotations

from collections.abc import Callable

#: (suffix in lower case, first bytes of the file) -> why it cannot be read, or None.
HeadCheck = Callable[[str, bytes], str | None]


def by_signature(
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
    if b"\x00" in head:
        return f"binary content (NUL bytes); expected {text_expected}"
    return None
