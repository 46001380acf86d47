"""A lab's own analysed kind in one module, as `$LABLEDGER_KINDS` loads it (the registry test).

"toy" records name a batch and a raw CSV with one number per line; the analysis counts the
values and takes their mean. The module declares everything the project needs of a kind: the
record model, the analysis, the result table with its view, and the report section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from sqlalchemy import Table
from sqlmodel import Field

from labledger.analyses import Analysis, AnalysisOutput
from labledger.config import Config
from labledger.db.kind_results import KindResults
from labledger.db.tables import LedgerTable
from labledger.errors import LabledgerError
from labledger.kinds import AnalysedKind
from labledger.records.base import RecordBase
from labledger.records.fields import RawFile, RefTo
from labledger.report.sections import PageParts, Section


class Toy(RecordBase):
    """toy: a list of numbers measured on a batch."""

    kind_folder: ClassVar[str] = "toy"
    id_prefix: ClassVar[str] = "TOY"

    kind: Literal["toy"]
    sample: Annotated[str, RefTo("batch")]
    raw_file: Annotated[str | None, RawFile()] = None


def analyze_toy(record: RecordBase, raw: Path, config: Config, plot: Path | None) -> AnalysisOutput:
    """The count and mean of the numbers in `raw` (one per line)."""
    try:
        values = [float(line) for line in raw.read_text().split()]
    except ValueError as err:
        raise LabledgerError(f"not a number: {err}") from None
    if plot is not None:
        plot.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    result = {"n": len(values), "mean": sum(values) / len(values) if values else None}
    return AnalysisOutput("toy_mean", "1", {}, result)


ANALYSIS = Analysis(
    kind="toy", folder="toy", version="1", run=analyze_toy, params=lambda _r, _c: {}
)


class ToyResult(LedgerTable, table=True):
    """The count and mean of one toy record's numbers."""

    __tablename__ = "toy_result"
    toy_id: str = Field(primary_key=True)
    run_id: int = Field(foreign_key="analysis_run.id")
    n_values: int
    mean_value: float | None = None


def _rows(run_id: int, env: dict[str, Any]) -> dict[Table, list[dict[str, Any]]]:
    result = env["result"]
    row = {
        "toy_id": env["record_id"],
        "run_id": run_id,
        "n_values": result["n"],
        "mean_value": result["mean"],
    }
    return {ToyResult.__table__: [row]}


RESULTS = KindResults(
    analysis="toy_mean",
    tables=((ToyResult.__table__, "toy_id"),),
    rows=_rows,
    views="""
-- toy_figures: one row per toy record with the mean of its numbers.
CREATE VIEW toy_figures AS
SELECT t.id AS toy_id, t.sample, r.n_values, r.mean_value
FROM toy t LEFT JOIN toy_result r ON r.toy_id = t.id;
""",
)


def _view(parts: PageParts, sample: str) -> dict[str, Any] | None:
    rows = [r for r in parts.section_rows("toy_figures") if r["sample"] == sample]
    return {"rows": rows} if rows else None


SECTION = Section(
    anchor="toy",
    title="Toy means",
    template=(
        "{% for r in section.view.rows %}<p class='toy' id='{{ r.toy_id }}'>{{ r.toy_id }}: mean"
        " {{ r.mean_value }} of {{ r.n_values }}</p>{% endfor %}"
    ),
    view=_view,
    queries={"toy_figures": "SELECT * FROM toy_figures ORDER BY toy_id"},
)

KIND = AnalysedKind(
    name="toy",
    folder="toy",
    version="1",
    record_model="support.toy_kind:Toy",
    analysis="support.toy_kind:ANALYSIS",
    results="support.toy_kind:RESULTS",
    report_section="support.toy_kind:SECTION",
    rule="toy_analysis",
    message="toy mean of {id}",
    report_category="Toy",
    report_label="toy",
)
