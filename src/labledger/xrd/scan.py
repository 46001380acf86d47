"""The in-memory form of one powder diffraction scan, whatever file it came from."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

# Cu Ka lines in angstrom (Hoelzer et al., Phys. Rev. A 1997, 56, 4554; the values pymatgen's
# XRDCalculator uses for "CuKa1"/"CuKa2").
CU_KA1_A = 1.54056
CU_KA2_A = 1.54439
# Ka2/Ka1 intensity ratio of a Cu tube without monochromator (the usual 0.5 of Rietveld programs).
CU_KA2_RATIO = 0.5

# Lines of the common anodes, angstrom (International Tables for Crystallography Vol. C, 4.2.2).
ANODE_LINES_A: dict[str, tuple[float, float]] = {
    "Cu": (CU_KA1_A, CU_KA2_A),
    "Co": (1.78897, 1.79285),
    "Mo": (0.70932, 0.71361),
    "Fe": (1.93604, 1.93998),
    "Cr": (2.28970, 2.29361),
    "Ag": (0.55941, 0.56380),
}


@dataclass(frozen=True)
class Wavelength:
    """The radiation of a scan: Ka1 and Ka2 wavelengths (angstrom) and the Ka2/Ka1 ratio.

    `ka2_a` None or `ka2_ratio` 0 means monochromatic Ka1. `stated` says whether the file said
    so (False: Cu Ka was assumed).
    """

    ka1_a: float = CU_KA1_A
    ka2_a: float | None = CU_KA2_A
    ka2_ratio: float = CU_KA2_RATIO
    anode: str | None = "Cu"
    stated: bool = False

    def to_dict(self) -> dict:
        return {
            "ka1_A": self.ka1_a,
            "ka2_A": self.ka2_a,
            "ka2_ratio": self.ka2_ratio,
            "anode": self.anode,
            "stated_in_file": self.stated,
        }


@dataclass(frozen=True)
class Scan:
    """One scan: 2theta (deg, strictly increasing), counts, optional sigma (counts).

    `source_format` names the reader ("xy", "xrdml", "ras", "brml", "raw"); `metadata` keeps
    what the file said (sample name, date, counting time) as strings.
    """

    two_theta_deg: np.ndarray
    counts: np.ndarray
    sigma: np.ndarray | None = None
    wavelength: Wavelength = field(default_factory=Wavelength)
    source_format: str = "xy"
    path: str = ""
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        return int(self.two_theta_deg.size)

    def weights(self) -> np.ndarray:
        """Least-squares weights 1/sigma^2; Poisson sigma = sqrt(max(counts, 1)) when none given."""
        if self.sigma is not None:
            s = np.where(self.sigma > 0, self.sigma, 1.0)
            return 1.0 / s**2
        return 1.0 / np.maximum(self.counts, 1.0)

    def binned(self, k: int) -> Scan:
        """This scan with every `k` consecutive points summed into one (2theta their mean,
        counts their sum, sigma in quadrature): Poisson counts stay Poisson. A remainder of
        fewer than `k` points at the end is dropped."""
        if k <= 1:
            return self
        n = self.n_points // k * k
        tt = self.two_theta_deg[:n].reshape(-1, k).mean(axis=1)
        counts = self.counts[:n].reshape(-1, k).sum(axis=1)
        sigma = None
        if self.sigma is not None:
            sigma = np.sqrt((self.sigma[:n] ** 2).reshape(-1, k).sum(axis=1))
        return replace(self, two_theta_deg=tt, counts=counts, sigma=sigma)

    def summary(self) -> dict:
        """Plain-data description of the scan (no arrays)."""
        tt = self.two_theta_deg
        step = float(np.median(np.diff(tt))) if tt.size > 1 else float("nan")
        return {
            "path": self.path,
            "source_format": self.source_format,
            "n_points": self.n_points,
            "two_theta_start_deg": float(tt[0]),
            "two_theta_end_deg": float(tt[-1]),
            "step_deg": step,
            "wavelength": self.wavelength.to_dict(),
            "scans_in_file": int(self.metadata.get("scans_in_file", 1)),
            "scan_index": int(self.metadata.get("scan_index", 0)),
        }
