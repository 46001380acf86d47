"""Links from the report's pages: to sample pages and measurement sections, to the project's
files (records, raw and result files) and to the records' provenance pages.

Every link is relative (the report folder moves with the project) and made only to what exists:
a file that is gone or a provenance page not yet written gets no link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labledger.config import Config
from labledger.records.paths import relative_path
from labledger.report.data import ReportData


def rel(target: Path, start: Path) -> str:
    """`target` relative to the folder `start`, with forward slashes (a URL path); the way to
    each folder is computed once (a store of 10,000 records makes some 50,000 links)."""
    return relative_path(target, start)


class Links:
    """The links a build's pages make, relative to the page they are on (sample pages unless
    said otherwise)."""

    def __init__(self, config: Config, data: ReportData, out_dir: Path) -> None:
        self.config, self.out_dir = config, out_dir
        #: Every record with a sample page.
        self.sample_ids = (
            {b["batch_id"] for b in data.batches}
            | {e["id"] for e in data.electrodes}
            | {c["cell_id"] for c in data.cells}
        )
        self.measurement_sample = {m["measurement_id"]: m["sample"] for m in data.measurements}
        self.raw_by_measurement = {m["measurement_id"]: m["raw_file"] for m in data.measurements}
        self.prov_dir = config.results_dir / "provenance" / "pages"
        # one listing instead of a stat and a relative path per link
        self.prov_pages = (
            {p.stem for p in self.prov_dir.glob("*.html")} if self.prov_dir.is_dir() else set()
        )
        self.prov_prefix = rel(self.prov_dir, out_dir / "samples") + "/"

    def file_href(self, path: Path) -> str | None:
        """Link from a sample page to a file of the project (record, raw or result file), when
        it exists."""
        return rel(path, self.out_dir / "samples") if path.is_file() else None

    def root_file(self, path: str | None) -> dict[str, Any] | None:
        """A file named relative to the project root: its name and its link (None if gone)."""
        if not path:
            return None
        return {"name": path, "href": self.file_href(self.config.root / path)}

    def measurement_links(self, root: str) -> dict[str, str]:
        """Link from a page at `root` (e.g. "" or "../") to each measurement's section on its
        sample's page, by measurement id."""
        return {
            mid: f"{root}samples/{sample}.html#{mid}"
            for mid, sample in self.measurement_sample.items()
            if sample in self.sample_ids
        }

    def provenance_page(self, rid: str) -> str | None:
        """Link from a sample page to the record's provenance page, when that page exists."""
        return f"{self.prov_prefix}{rid}.html" if rid in self.prov_pages else None

    def raw_file(self, mid: str) -> dict[str, Any] | None:
        """A measurement's raw file (the view names it relative to the records folder; shown
        relative to the project root, as the provenance shows it) and its link."""
        name = self.raw_by_measurement.get(mid)
        if not name:
            return None
        path = self.config.records_dir / name
        return {"name": rel(path, self.config.root), "href": self.file_href(path)}

    def sample(self, rid: str | None) -> dict[str, Any] | None:
        """Link from a sample page to another one: its id, and its href when it has a page."""
        if not rid:
            return None
        return {"id": rid, "href": f"{rid}.html" if rid in self.sample_ids else None}
