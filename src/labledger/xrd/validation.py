"""An independent simulator for validating the fit (tests and benchmark; imports xrayutilities).

Synthetic mixtures are made with xrayutilities' PowderModel (fundamental-parameter profiles:
axial divergence, flat specimen, receiver slit, Cu Ka1 + Ka2 emission, crystallite size), not
with our own pseudo-Voigt model, so a fit that passes here is not just inverting itself. On top
come a lattice strain per phase, a 2theta zero shift, a smooth background and Poisson noise.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labledger.xrd.scan import Scan, Wavelength


@dataclass(frozen=True)
class SimulatedMixture:
    """A simulated scan and its truth: wt % per phase, strain per phase, zero shift (deg)."""

    scan: Scan
    true_wt_percent: dict[str, float]
    strain: dict[str, float]
    zero_shift_deg: float


def simulate_mixture(
    phases: dict[str, tuple[Path, float]],
    two_theta: np.ndarray | None = None,
    strain: dict[str, float] | None = None,
    zero_shift_deg: float = 0.0,
    peak_counts: float = 20000.0,
    background: float = 300.0,
    crystallite_size_m: float = 150e-9,
    seed: int = 0,
) -> SimulatedMixture:
    """Simulate a Cu Ka powder scan of a mixture, phases given as name -> (CIF, wt fraction).

    Volume fractions follow from the weight fractions and the densities xrayutilities
    computes from the CIFs; `strain` scales each phase's cell lengths by (1 + strain).
    """
    import xrayutilities as xu

    xu.config.NTHREADS = 1  # no worker processes
    tt = np.round(np.arange(10, 80.0001, 0.02), 4) if two_theta is None else two_theta
    strain = strain or {}
    powders = []
    wsum = sum(w for _, w in phases.values())
    for name, (cif, wt) in phases.items():
        mat = xu.materials.Crystal.fromCIF(str(cif))
        eps = strain.get(name, 0.0)
        if eps:
            lat = mat.lattice
            for attr in ("a", "b", "c"):
                # tied parameters (b = a in tetragonal, etc.) refuse to be set
                with contextlib.suppress(AttributeError, RuntimeError):
                    setattr(lat, attr, getattr(lat, attr) * (1 + eps))
        volume = (wt / wsum) / mat.density
        powders.append(
            xu.simpack.Powder(
                mat,
                volume,
                crystallite_size_gauss=crystallite_size_m,
                crystallite_size_lor=crystallite_size_m,
            )
        )
    model = xu.simpack.PowderModel(*powders, I0=1.0)
    try:
        clean = model.simulate(tt - zero_shift_deg)
    finally:
        model.close()
    clean = np.asarray(clean, dtype=float)
    clean *= peak_counts / clean.max()
    x = (tt - tt[0]) / (tt[-1] - tt[0])
    bg = background * (1.0 + 0.6 * np.exp(-x * 4) + 0.2 * x)
    rng = np.random.default_rng(seed)
    counts = rng.poisson(clean + bg).astype(float)
    scan = Scan(tt, counts, None, Wavelength(stated=True), "xy", "simulated")
    true = {name: 100 * w / wsum for name, (_, w) in phases.items()}
    return SimulatedMixture(scan, true, dict(strain), zero_shift_deg)
