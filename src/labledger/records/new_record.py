"""`labledger new`: a new record file from a template (or a copy of a record), next free id."""

from __future__ import annotations

import datetime as dt
import getpass
import re
from importlib import resources
from pathlib import Path

from labledger.errors import LabledgerError
from labledger.records.kinds import KINDS, kind_names
from labledger.records.paths import discover


def template_text(kind: str) -> str:
    """The template of a record kind, with placeholders __ID__, __DATE__ and __OPERATOR__."""
    if kind not in KINDS:
        raise LabledgerError(f"unknown kind {kind!r}; expected one of {kind_names()}")
    return (
        resources.files("labledger.records").joinpath(f"templates/{kind}.yaml").read_text("utf-8")
    )


def next_id(records_dir: Path, prefix: str) -> str:
    """The next free id `<prefix>-NNN` after the highest one in use anywhere in the store."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    numbers = [int(m.group(1)) for p in discover(records_dir) if (m := pattern.match(p.stem))]
    width = max(
        [3] + [len(m.group(1)) for p in discover(records_dir) if (m := pattern.match(p.stem))]
    )
    return f"{prefix}-{(max(numbers) + 1) if numbers else 1:0{width}d}"


def new_record(
    records_dir: Path,
    kind: str,
    *,
    copy_from: Path | None = None,
    record_id: str | None = None,
    today: dt.date | None = None,
) -> Path:
    """Write a new record file and return its path; never overwrites an existing file."""
    model = KINDS.get(kind)
    if model is None:
        raise LabledgerError(f"unknown kind {kind!r}; expected one of {kind_names()}")
    rid = record_id or next_id(records_dir, model.id_prefix)
    if any(p.stem == rid for p in discover(records_dir)):
        raise LabledgerError(f"a record with id {rid!r} exists already")
    date = (today or dt.date.today()).isoformat()
    if copy_from is not None:
        text = copy_from.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^id:.*$", f"id: {rid}", text, count=1)
        text = re.sub(r"(?m)^date:.*$", f"date: {date}", text, count=1)
    else:
        text = template_text(kind)
        text = text.replace("__ID__", rid).replace("__DATE__", date)
        text = text.replace("__OPERATOR__", _operator())
    path = records_dir / model.kind_folder / f"{rid}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:
        fh.write(text)
    return path


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
