"""`labledger new`: a new record file from a template (or a copy of a record), next free id."""

from __future__ import annotations

import datetime as dt
import getpass
import re
from importlib import resources
from pathlib import Path

from labledger.errors import LabledgerError
from labledger.records.kinds import KINDS, kind_names, with_article
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
        text = copy_text(copy_from, kind, rid, date, _operator())
    else:
        text = template_text(kind)
        text = text.replace("__ID__", rid).replace("__DATE__", date)
        text = text.replace("__OPERATOR__", _operator())
    path = records_dir / model.kind_folder / f"{rid}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:
        fh.write(text)
    return path


#: Top-level fields a copy does not take over: they describe the original's sample, not the new
#: one (`synthetic: true` of a demo record would mark a real sample as synthetic).
NOT_COPIED = ("synthetic", "notes")


def copy_text(source: Path, kind: str, rid: str, date: str, operator: str) -> str:
    """The text of a new `kind` record copied from `source`: new id, date and operator, without
    the source's header comments (the schema line stays), `synthetic` flag and notes."""
    text = source.read_text(encoding="utf-8")
    match = re.search(r"(?m)^kind:[ \t]*['\"]?([A-Za-z_-]+)", text)
    found = match.group(1) if match else None
    if found != kind:
        what = f"{with_article(found)} record" if found else "not a record of any kind"
        hint = f"; use `labledger new {found} --from {source.stem}`" if found in KINDS else ""
        raise LabledgerError(f"{source.stem} is {what}, not {with_article(kind)}{hint}")
    lines = text.splitlines(keepends=True)
    head = 0
    while head < len(lines) and lines[head].lstrip().startswith("#"):
        head += 1
    kept = [ln for ln in lines[:head] if "yaml-language-server" in ln]
    skipping = False
    for line in lines[head:]:
        top = line[:1] not in (" ", "\t", "\n", "#", "-") and ":" in line
        if top:
            skipping = line.split(":", 1)[0].strip() in NOT_COPIED
        if not skipping:
            kept.append(line)
    out = "".join(kept)
    out = re.sub(r"(?m)^id:.*$", f"id: {rid}", out, count=1)
    out = re.sub(r"(?m)^date:.*$", f"date: {date}", out, count=1)
    if re.search(r"(?m)^operator:", out):
        out = re.sub(r"(?m)^operator:.*$", f"operator: {operator}", out, count=1)
    return out


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
