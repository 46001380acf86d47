"""The result tables of each analysis, with how a result file fills them and their views.

One module per analysed kind (`cell`, `eis`, `xrd`) defines `RESULTS = KindResults(...)`, which
the kind's declaration (`labledger.kinds`) names, and `arrhenius` that of the samples' Arrhenius
fits; a lab's own kind defines its `KindResults` in its own module the same way. The ingest
(`labledger.db.results`), the schema and the views read them through `kind_results()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import Table

#: (analysis run id, result file envelope) -> rows to insert, by table.
RowMaker = Callable[[int, dict[str, Any]], dict[Table, list[dict[str, Any]]]]


@dataclass(frozen=True)
class KindResults:
    """The result tables of one analysis and how its result files become their rows."""

    analysis: str  # the `analysis` of its result files ("cycling")
    #: each result table with its record id column (a record's rows are replaced by id)
    tables: tuple[tuple[Table, str], ...]
    rows: RowMaker
    #: CREATE VIEW statements over its tables, each after a comment block that documents it
    #: ("-- name: what a row is ..."), in portable SQL (the conventions of db/views.sql)
    views: str = ""
    folder: str = field(default="", compare=False)  # set from the kind: results/<folder>/


def builtin_views(name: str) -> str:
    """The views of a built-in kind, `db/kind_results/<name>` (SQL)."""
    return resources.files("labledger.db.kind_results").joinpath(name).read_text("utf-8")


def pct(fraction: float | None) -> float | None:
    """A fraction of the result file (0.9924) as the % SQL columns hold (99.24): every ratio in
    the database is in % and named `_pct`, as the record fields are."""
    return None if fraction is None else 100.0 * fraction


def kind_results() -> dict[str, KindResults]:
    """The results of every analysis, by analysis name, each with its folder: those of the
    analysed kinds (the kind's folder), then the Arrhenius analysis of samples."""
    from dataclasses import replace

    from labledger.db.kind_results.arrhenius import RESULTS as ARRHENIUS
    from labledger.kinds import analysed_kinds

    out = {}
    for kind in analysed_kinds().values():
        results = kind.load_results()
        if not isinstance(results, KindResults):
            raise TypeError(f"{kind.results} is not a KindResults")
        out[results.analysis] = replace(results, folder=kind.folder)
    out[ARRHENIUS.analysis] = ARRHENIUS
    return out
