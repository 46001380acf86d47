"""Database URLs as text, without SQLAlchemy (the Snakefile shows the database it writes)."""

from __future__ import annotations

import re


def display_url(url: str) -> str:
    """`url` fit for a message: the password (also a `password=` parameter) shown as ***.

    Works on the text, so a URL SQLAlchemy cannot parse (or a password with an unescaped @)
    is masked too.
    """
    head, qmark, query = url.partition("?")
    scheme, sep, rest = head.partition("://")
    if sep and "@" in rest:
        userinfo, _, hostpart = rest.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        if colon and "/" not in user:
            head = f"{scheme}://{user}:***@{hostpart}"
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", query)
    return head + qmark + query
