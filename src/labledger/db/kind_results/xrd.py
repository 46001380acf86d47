"""Result tables of the xrd kind: a scan's fit and verdict, the phases found."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, Text
from sqlmodel import Field

from labledger.db.kind_results import KindResults, builtin_views
from labledger.db.tables import LedgerTable


class XrdResult(LedgerTable, table=True):
    """Fit quality and phase set of one diffraction scan (its current analysis)."""

    __tablename__ = "xrd_result"
    xrd_id: str = Field(primary_key=True)
    run_id: int = Field(foreign_key="analysis_run.id")
    phases_detected: str = Field(description="Comma-separated phase names.")
    rwp_pct: float | None = Field(default=None, description="Weighted-profile R, %.")
    gof: float | None = None
    zero_shift_deg: float | None = None
    n_points: int | None = None
    verdict: str | None = Field(
        default=None, description="explained, or not_explained (no listed phase explains it)."
    )
    verdict_reason: str | None = Field(default=None, sa_type=Text)
    unexplained_peaks: str | None = Field(
        default=None, sa_type=Text, description="'2theta deg (d A)' of each, semicolon-separated."
    )


class XrdPhase(LedgerTable, table=True):
    """One phase found in a scan: Hill-Howard weight fraction and refined cell."""

    __tablename__ = "xrd_phase"
    xrd_id: str = Field(primary_key=True)
    phase: str = Field(primary_key=True)
    formula: str | None = None
    space_group: str | None = None
    wt_pct: float | None = Field(
        default=None, description="Weight fraction, wt % (empty when the scan is not explained)."
    )
    wt_pct_esd: float | None = Field(default=None, description="Statistical uncertainty, wt %.")
    a_angstrom: float | None = Field(default=None, description="Refined a, Angstrom.")
    b_angstrom: float | None = None
    c_angstrom: float | None = None
    beta_deg: float | None = None
    preferred_orientation_r: float | None = None
    cif_sha256: str | None = None


def _xrd_verdict(verdict: dict[str, Any]) -> dict[str, Any]:
    peaks = verdict.get("unexplained_peaks") or []
    listed = "; ".join(f"{p['two_theta_deg']:.2f} deg ({p['d_A']:.3f} A)" for p in peaks)
    return {
        "verdict": verdict.get("status"),
        "verdict_reason": "; ".join(verdict.get("reasons") or []) or None,
        "unexplained_peaks": listed or None,
    }


def _xrd_rows(run_id: int, env: dict[str, Any]) -> dict[Table, list[dict[str, Any]]]:
    res = env["result"]
    xid = env["record_id"]
    summary = {
        "xrd_id": xid,
        "run_id": run_id,
        "phases_detected": ",".join(res.get("phases_detected", [])),
        "rwp_pct": res.get("rwp_percent"),
        "gof": res.get("gof"),
        "zero_shift_deg": res.get("zero_shift_deg"),
        "n_points": res.get("n_points"),
        **_xrd_verdict(res.get("verdict") or {}),
    }
    phases = []
    for p in res.get("phases", []):
        lattice = p.get("lattice") or {}
        phases.append(
            {
                "xrd_id": xid,
                "phase": p["name"],
                "formula": p.get("formula"),
                "space_group": p.get("space_group"),
                "wt_pct": p.get("wt_percent"),
                "wt_pct_esd": p.get("wt_percent_esd"),
                "a_angstrom": lattice.get("a_A"),
                "b_angstrom": lattice.get("b_A"),
                "c_angstrom": lattice.get("c_A"),
                "beta_deg": lattice.get("beta_deg"),
                "preferred_orientation_r": p.get("preferred_orientation_r"),
                "cif_sha256": (p.get("reference") or {}).get("cif_sha256"),
            }
        )
    return {XrdResult.__table__: [summary], XrdPhase.__table__: phases}


RESULTS = KindResults(
    analysis="xrd",
    tables=((XrdResult.__table__, "xrd_id"), (XrdPhase.__table__, "xrd_id")),
    rows=_xrd_rows,
    views=builtin_views("xrd.sql"),
)
