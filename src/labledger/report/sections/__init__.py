"""The report section of each analysed kind: what the pages show of its results.

A kind's declaration (`labledger.kinds`) names its `Section`: one module per built-in kind here
(`xrd`, `eis`, `cell`); a lab's own kind defines its `Section` in its own module. A section is
a heading, a Jinja template (the source text: it sees the page's variables and `section.view`)
and a view function, which gives a page's section its variables from the report's data (None
leaves the section out of that page). `queries` are SQL the report runs once per build for the
section; their rows are `parts.section_rows(name)` in the view function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from labledger.report.data import ReportData, Row
from labledger.report.links import Links


class PageParts(Protocol):
    """What a section's view function may use of the page context (`report.context`)."""

    data: ReportData
    links: Links
    out_dir: Path

    def plot(self, rid: str) -> Any:
        """The analysis plot of a record (drawn when its page is rendered), or None."""

    def provenance(self, rid: str) -> dict[str, Any] | None:
        """The provenance box of a record's current analysis run, or None."""

    def grouped(self, rows: list[Row], column: str) -> dict[str, list[Row]]:
        """`rows` grouped by the value of `column` (computed once per build)."""

    def section_rows(self, name: str) -> list[Row]:
        """The rows of the section query `name` (a section's `queries`)."""


#: (page parts, the page's record id) -> the section's variables on that page, or None.
SectionView = Callable[[PageParts, str], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    """One analysed kind's part of the report's pages."""

    anchor: str  # the heading's id on the page ("xrd")
    title: str  # the heading ("XRD")
    template: str  # Jinja source of the section's body (after its heading)
    view: SectionView
    #: the kinds of page it is on: "batch" and "electrode" (the samples measurements name), "cell"
    pages: tuple[str, ...] = ("batch", "electrode")
    #: name -> SQL (portable, see db/views.sql) whose rows the view reads
    queries: dict[str, str] = field(default_factory=dict)


def builtin_template(name: str) -> str:
    """The source of a built-in section's template, `report/templates/sections/<name>`."""
    folder = resources.files("labledger.report").joinpath("templates", "sections")
    return folder.joinpath(name).read_text(encoding="utf-8")


def section_template_name(section: Section) -> str:
    """The name the report's Jinja environment knows a section's template by."""
    return f"section/{section.anchor}.html.j2"


def report_sections() -> list[Section]:
    """The section of every analysed kind, in the order of the kinds."""
    from labledger.kinds import analysed_kinds

    out = []
    for kind in analysed_kinds().values():
        section = kind.load_report_section()
        if not isinstance(section, Section):
            raise TypeError(f"{kind.report_section} is not a Section")
        out.append(section)
    return out
