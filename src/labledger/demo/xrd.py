"""Synthetic demo scans for the demo batches B-001..B-008 (deterministic, labelled synthetic).

The story: excess Li2CO3 in the LLTO synthesis leaves the layered perovskite Li2La2Ti3O10
(about 3 wt % per 5 % excess at 1150 C; a bit less at 1250 C, where more Li evaporates).
B-001 (no excess) is slightly Li-deficient and keeps 2.5 wt % unreacted rutile TiO2. The
commercial powder B-008 is single-phase tetragonal LLTO with smaller crystallites.

Patterns are computed with our own forward model (`labledger.xrd.fit.WholePatternFit`: Cu Ka1
+ Ka2, pseudo-Voigt, March-Dollase texture of the layered phase) from the shipped reference
phases, plus a sloping background with an amorphous hump and Poisson counting noise. (The
fit is validated separately on patterns of a different simulator, see `validation`.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from labledger.xrd.scan import Scan, Wavelength

TWO_THETA_START = 10.0
TWO_THETA_END = 80.0
STEP = 0.02
PEAK_COUNTS = 15000.0  # counts at the strongest peak
SEED = 20250101


@dataclass(frozen=True)
class DemoScan:
    """One demo scan: which record and batch it belongs to, its range, and the truth."""

    record_id: str
    file_name: str
    batch_id: str
    two_theta_start_deg: float
    two_theta_end_deg: float
    step_deg: float
    true_wt_percent: dict[str, float]
    li2co3_excess_percent: float | None
    sinter_temperature_C: float | None

    def to_dict(self) -> dict:
        return asdict(self)


# batch id, Li2CO3 excess %, sintering C, wt % per phase, file suffix, LLTO strain, width
_BATCHES = [
    ("B-001", 0.0, 1150.0, {"LLTO_tetragonal": 97.5, "rutile": 2.5}, ".xy", 0.0004, 0.025),
    ("B-002", 5.0, 1150.0, {"LLTO_tetragonal": 97.0, "Li2La2Ti3O10": 3.0}, ".xy", 0.0006, 0.025),
    ("B-003", 10.0, 1150.0, {"LLTO_tetragonal": 94.0, "Li2La2Ti3O10": 6.0}, ".xy", 0.0008, 0.025),
    ("B-004", 15.0, 1150.0, {"LLTO_tetragonal": 91.0, "Li2La2Ti3O10": 9.0}, ".xy", 0.0009, 0.025),
    ("B-005", 20.0, 1150.0, {"LLTO_tetragonal": 88.0, "Li2La2Ti3O10": 12.0}, ".xy", 0.0010, 0.025),
    ("B-006", 10.0, 1250.0, {"LLTO_tetragonal": 95.5, "Li2La2Ti3O10": 4.5}, ".xy", 0.0005, 0.020),
    ("B-007", 20.0, 1250.0, {"LLTO_tetragonal": 90.5, "Li2La2Ti3O10": 9.5}, ".xy", 0.0007, 0.020),
    ("B-008", None, None, {"LLTO_tetragonal": 100.0}, ".xrdml", -0.0003, 0.045),
]


def demo_two_theta() -> np.ndarray:
    n = round((TWO_THETA_END - TWO_THETA_START) / STEP) + 1
    return np.round(TWO_THETA_START + STEP * np.arange(n), 4)


def _simulate(wt: dict[str, float], llto_strain: float, width: float, rng) -> np.ndarray:
    from labledger.xrd.fit import WholePatternFit
    from labledger.xrd.phases import default_phases
    from labledger.xrd.refcache import resolve_references
    from labledger.xrd.refdata import cell_volume

    tt = demo_two_theta()
    phases = default_phases()
    refs = resolve_references({n: phases[n] for n in wt})
    template = Scan(tt, np.ones_like(tt), None, Wavelength(stated=True))
    model = WholePatternFit(template, [refs[n] for n in wt])
    theta = model.initial_theta()
    theta[0] = 0.012  # zero shift, deg
    theta[2], theta[3], theta[4] = 0.0035, 0.003, 0.45
    for sp in model.phases:
        eps = llto_strain if sp.ref.name.startswith("LLTO") else 0.0015
        theta[sp.lat_slice] = [eps if j < 3 else 0.0 for j in sp.free]
        theta[sp.width_index] = width
        if sp.po_index is not None:
            theta[sp.po_index] = 0.85  # platelets lying flat enhance (00l)
    cols, _ = model.evaluate(theta, derivatives=False)
    scales = np.array(
        [
            wt[sp.ref.name] / (sp.ref.cell_mass * cell_volume(model.lattice(sp, theta)))
            for sp in model.phases
        ]
    )
    peaks = cols @ scales
    peaks *= PEAK_COUNTS / peaks.max()
    x = (tt - tt[0]) / (tt[-1] - tt[0])
    background = 160 + 140 * np.exp(-4 * x) + 45 * np.exp(-(((tt - 26.0) / 7.0) ** 2))
    return rng.poisson(peaks + background).astype(float)


def write_demo_scans(raw_dir: Path) -> list[DemoScan]:
    """Write XRD-001..XRD-008 (one per demo batch) into `raw_dir`; returns what was written."""
    from labledger.xrd.writers import write_scan

    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    tt = demo_two_theta()
    out = []
    for i, (batch, excess, temp, wt, suffix, strain, width) in enumerate(_BATCHES, start=1):
        rng = np.random.default_rng(SEED + i)
        counts = _simulate(wt, strain, width, rng)
        record = f"XRD-{i:03d}"
        name = record + suffix
        truth = ", ".join(f"{k} {v:g} wt %" for k, v in wt.items())
        # the generator's first module name, so that the committed demo scans stay byte-identical
        header = [
            f"SYNTHETIC demo scan {record} of batch {batch}, made by labledger.xrd.demo "
            f"(seed {SEED + i}); not a measurement.",
            f"truth: {truth}",
            "radiation: Cu Ka1 + Ka2; 2theta 10-80 deg, step 0.02 deg",
        ]
        write_scan(raw_dir / name, tt, counts, header, Wavelength(stated=True))
        out.append(
            DemoScan(
                record_id=record,
                file_name=name,
                batch_id=batch,
                two_theta_start_deg=TWO_THETA_START,
                two_theta_end_deg=TWO_THETA_END,
                step_deg=STEP,
                true_wt_percent=dict(wt),
                li2co3_excess_percent=excess,
                sinter_temperature_C=temp,
            )
        )
    return out
