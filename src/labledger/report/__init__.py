"""The lab's HTML report: static, self-contained pages built from the database.

`build_report(config, out_dir)` writes the index (structure-property table and summary plots),
one page per batch, electrode and cell, the study page, the history page and the saved-query
page; `run_saved_queries(config, queries_dir, out_dir)` writes one CSV per saved query.
"""

from __future__ import annotations

from labledger.lazy import lazy_attributes

# Imported on first use (PEP 562): `labledger --help` must not pay for matplotlib and pandas.
_WHERE = {"build_report": "labledger.report.build", "run_saved_queries": "labledger.report.queries"}


__getattr__ = lazy_attributes(__name__, _WHERE)


__all__ = ["build_report", "run_saved_queries"]
