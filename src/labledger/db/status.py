"""`labledger status`: what the database knows, what is stale and what is still pending."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text

from labledger.db.engine import make_engine
from labledger.db.schema import require_database

#: Measurement kinds, their table and the folder of their results.
MEASURED = {"xrd": "xrd_result", "eis": "eis_result", "cell": "cell_result"}
_RESULT_KEY = {"xrd": "xrd_id", "eis": "eis_id", "cell": "cell_id"}


@dataclass
class Status:
    """A summary of the database: counts, last ingest, stale and pending work."""

    records: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (active, removed)
    last_ingest: tuple[str, str | None, bool | None] | None = None  # when, commit, dirty
    analysed: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (done, total)
    stale: list[tuple[str, str, str]] = field(default_factory=list)  # id, analysis, reason
    not_analysed: list[str] = field(default_factory=list)  # raw file present, no result
    raw_pending: list[str] = field(default_factory=list)  # no raw file named yet

    @property
    def clean(self) -> bool:
        return not (self.stale or self.not_analysed)


def database_status(url: str) -> Status:
    """Read the status from the database (nothing is written)."""
    require_database(url)
    engine = make_engine(url)
    status = Status()
    try:
        with engine.connect() as conn:
            for kind, active, removed in conn.execute(
                text(
                    "SELECT kind, SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), "
                    "SUM(CASE WHEN status = 'removed' THEN 1 ELSE 0 END) "
                    "FROM record GROUP BY kind ORDER BY kind"
                )
            ):
                status.records[kind] = (int(active), int(removed))
            last = conn.execute(
                text(
                    "SELECT finished_at, git_commit, git_dirty FROM ingest ORDER BY id DESC LIMIT 1"
                )
            ).first()
            if last is not None:
                status.last_ingest = (str(last[0])[:19], last[1], last[2])
            for kind, table in MEASURED.items():
                key = _RESULT_KEY[kind]
                total = conn.execute(
                    text(f"SELECT COUNT(*) FROM {kind} WHERE raw_file IS NOT NULL")
                ).scalar_one()
                done = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                status.analysed[kind] = (int(done), int(total))
                status.not_analysed += [
                    r[0]
                    for r in conn.execute(
                        text(
                            f"SELECT k.id FROM {kind} k LEFT JOIN {table} r ON r.{key} = k.id "
                            f"WHERE k.raw_file IS NOT NULL AND r.{key} IS NULL ORDER BY k.id"
                        )
                    )
                ]
                status.raw_pending += [
                    r[0]
                    for r in conn.execute(
                        text(f"SELECT id FROM {kind} WHERE raw_file IS NULL ORDER BY id")
                    )
                ]
            status.stale = [
                (r[0], r[1], r[2])
                for r in conn.execute(
                    text("SELECT record_id, analysis, reason FROM stale_results ORDER BY record_id")
                )
            ]
    finally:
        engine.dispose()
    return status


def format_status(status: Status, limit: int = 10) -> str:
    """One screen of text."""
    lines = []
    counts = ", ".join(
        f"{active} {kind}" + (f" (+{removed} removed)" if removed else "")
        for kind, (active, removed) in status.records.items()
    )
    lines.append(f"records: {counts or 'none'}")
    if status.last_ingest:
        when, commit, dirty = status.last_ingest
        ref = (commit or "no git")[:10] + (" (dirty)" if dirty else "")
        lines.append(f"last ingest: {when} UTC at {ref}")
    analysed = ", ".join(
        f"{kind} {done}/{total}" for kind, (done, total) in status.analysed.items()
    )
    lines.append(f"analysed (with raw file): {analysed}")

    def listing(title: str, items: list[str]) -> None:
        if items:
            shown = ", ".join(items[:limit]) + (
                f" ... (+{len(items) - limit})" if len(items) > limit else ""
            )
            lines.append(f"{title} ({len(items)}): {shown}")

    listing("stale results", [f"{rid} [{reason}]" for rid, _, reason in status.stale])
    listing("raw file but no result yet", status.not_analysed)
    listing("raw file pending", status.raw_pending)
    if status.clean:
        lines.append("everything analysed is up to date")
    else:
        lines.append("run `snakemake` to bring the results up to date")
    return "\n".join(lines)
