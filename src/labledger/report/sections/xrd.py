"""The XRD section of batch and electrode pages: each scan's phases, fit quality and plot."""

from __future__ import annotations

from typing import Any

from labledger.report.sections import PageParts, Section, builtin_template


def view(parts: PageParts, sample: str) -> dict[str, Any]:
    """The scans of `sample`, each with its phases, plot, provenance and raw file link."""
    phases = parts.grouped(parts.data.xrd_phases, "xrd_id")
    scans = [
        {
            "x": x,
            "phases": phases.get(x["id"], []),
            "plot": parts.plot(x["id"]),
            "prov": parts.provenance(x["id"]),
            "raw": parts.links.raw_file(x["id"]),
        }
        for x in parts.grouped(parts.data.xrd, "sample").get(sample, [])
    ]
    return {"scans": scans}


SECTION = Section(anchor="xrd", title="XRD", template=builtin_template("xrd.html.j2"), view=view)
