"""Reference patterns as plain data: loading the cache and cell geometry (numpy only).

A reference is what the per-scan fit needs of a phase, computed once from its CIF by
`labledger.xrd.references` (pymatgen) and stored as JSON: Miller indices, |F|^2 x multiplicity
per reflection (wavelength-free), and the cell (parameters, crystal system, mass incl. partial
occupancies, volume, Z). Peak positions for a refined cell come from the metric tensor here, so
refining lattice parameters never needs pymatgen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labledger.analysis_versions import XRD_REFERENCES
from labledger.errors import InputFileError

# Bump when the content or meaning of a cached reference changes; caches of other versions are
# rebuilt, never reused.
REFERENCE_CODE_VERSION = f"xrd-ref-{XRD_REFERENCES}"  # bump in labledger.analysis_versions
CACHE_FORMAT = "labledger-xrd-references"


@dataclass(frozen=True)
class PhaseRef:
    """One reference phase: reflections and cell data.

    `hkl` (K x 3 int), `f2m` (K; |F|^2 times multiplicity, electrons^2), `multiplicity` (K),
    `lattice` (a, b, c in angstrom; alpha, beta, gamma in degrees), `cell_mass` (amu, incl.
    partial occupancies), `cell_volume` (angstrom^3), `z` formula units per cell.
    """

    name: str
    formula: str
    space_group: str
    crystal_system: str
    lattice: tuple[float, float, float, float, float, float]
    cell_mass: float
    cell_volume: float
    z: float
    hkl: np.ndarray
    f2m: np.ndarray
    multiplicity: np.ndarray
    d_min: float
    cif_sha256: str
    code_version: str
    preferred_orientation: tuple[int, int, int] | None = None
    cif_path: str = ""

    @classmethod
    def from_dict(cls, d: dict) -> PhaseRef:
        po = d.get("preferred_orientation")
        a, b, c, alpha, beta, gamma = (float(x) for x in d["lattice"])
        return cls(
            name=d["name"],
            formula=d["formula"],
            space_group=d["space_group"],
            crystal_system=d["crystal_system"],
            lattice=(a, b, c, alpha, beta, gamma),
            cell_mass=float(d["cell_mass_amu"]),
            cell_volume=float(d["cell_volume_A3"]),
            z=float(d["z"]),
            hkl=np.asarray(d["hkl"], dtype=int).reshape(-1, 3),
            f2m=np.asarray(d["f2m"], dtype=float),
            multiplicity=np.asarray(d["multiplicity"], dtype=float),
            d_min=float(d["d_min_A"]),
            cif_sha256=d["cif_sha256"],
            code_version=d["code_version"],
            preferred_orientation=tuple(po) if po else None,
            cif_path=d.get("cif_path", ""),
        )

    def provenance(self) -> dict:
        return {
            "cif_sha256": self.cif_sha256,
            "code_version": self.code_version,
            "cif": Path(self.cif_path).name if self.cif_path else None,
        }


# ------------------------------------------------------------------------------- geometry


def reciprocal_metric(lattice: np.ndarray | tuple) -> np.ndarray:
    """G* (1/angstrom^2) of a cell (a, b, c, alpha, beta, gamma in degrees): d*^2 = h G* h."""
    a, b, c, al, be, ga = (float(x) for x in lattice)
    ca, cb, cg = np.cos(np.radians([al, be, ga]))
    g = np.array(
        [
            [a * a, a * b * cg, a * c * cb],
            [a * b * cg, b * b, b * c * ca],
            [a * c * cb, b * c * ca, c * c],
        ]
    )
    return np.linalg.inv(g)


def d_spacings(hkl: np.ndarray, lattice: np.ndarray | tuple) -> np.ndarray:
    """Interplanar spacings (angstrom) of reflections `hkl` (K x 3) for a cell."""
    gs = reciprocal_metric(lattice)
    q = np.einsum("ki,ij,kj->k", hkl, gs, hkl)
    return 1.0 / np.sqrt(q)


def cos_to_axis(
    hkl: np.ndarray, lattice: np.ndarray | tuple, axis: tuple[int, int, int]
) -> np.ndarray:
    """Cosine of the angle between each reflection's plane normal and the normal of `axis` (hkl)."""
    gs = reciprocal_metric(lattice)
    h = np.asarray(axis, dtype=float)
    num = hkl @ gs @ h
    n1 = np.sqrt(np.einsum("ki,ij,kj->k", hkl, gs, hkl))
    n2 = np.sqrt(h @ gs @ h)
    return np.clip(np.abs(num) / (n1 * n2), 0.0, 1.0)


def cell_volume(lattice: np.ndarray | tuple) -> float:
    """Cell volume (angstrom^3)."""
    a, b, c, al, be, ga = (float(x) for x in lattice)
    ca, cb, cg = np.cos(np.radians([al, be, ga]))
    return a * b * c * float(np.sqrt(1 - ca**2 - cb**2 - cg**2 + 2 * ca * cb * cg))


# Which of (a, b, c, alpha, beta, gamma) refine, and how the others follow, per crystal system.
# Each entry: list of free indices; `tie` maps dependent index -> index it equals.
_FREE = {
    "cubic": ([0], {1: 0, 2: 0}),
    "tetragonal": ([0, 2], {1: 0}),
    "hexagonal": ([0, 2], {1: 0}),
    "trigonal": ([0, 2], {1: 0}),
    "orthorhombic": ([0, 1, 2], {}),
    "monoclinic": ([0, 1, 2], {}),
    "triclinic": ([0, 1, 2, 3, 4, 5], {}),
}
PARAM_NAMES = ("a", "b", "c", "alpha", "beta", "gamma")
# An angle counts as "not 90 deg" (free in a monoclinic cell) beyond this difference (deg).
_ANGLE_TOL = 1e-3


def free_lattice_indices(ref: PhaseRef) -> tuple[list[int], dict[int, int]]:
    """Indices of the refinable lattice parameters of `ref` and the ties of the others."""
    free, tie = _FREE.get(ref.crystal_system, _FREE["triclinic"])
    free = list(free)
    lat = ref.lattice
    if ref.crystal_system == "trigonal" and abs(lat[5] - 120) > _ANGLE_TOL:
        # rhombohedral setting: a = b = c, alpha = beta = gamma
        return [0, 3], {1: 0, 2: 0, 4: 3, 5: 3}
    if ref.crystal_system == "monoclinic":
        free += [i for i in (3, 4, 5) if abs(lat[i] - 90) > _ANGLE_TOL]
    return free, dict(tie)


def expand_lattice(
    ref: PhaseRef, values: np.ndarray, free: list[int], tie: dict[int, int]
) -> np.ndarray:
    """Full (a, b, c, alpha, beta, gamma) from the refined `values` of the `free` parameters."""
    lat = np.array(ref.lattice, dtype=float)
    lat[free] = values
    for dep, src in tie.items():
        lat[dep] = lat[src]
    return lat


# ---------------------------------------------------------------------------------- cache


def load_reference_file(path: str | Path) -> dict[str, PhaseRef]:
    """Read a references JSON (one or many phases); raises `InputFileError` if unusable."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputFileError(path, "references file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputFileError(path, f"unreadable references file ({err}); rebuild it") from None
    if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT:
        raise InputFileError(path, f"not a labledger references file (format {CACHE_FORMAT!r})")
    if doc.get("code_version") != REFERENCE_CODE_VERSION:
        raise InputFileError(
            path,
            f"references built by code version {doc.get('code_version')!r}; this labledger "
            f"needs {REFERENCE_CODE_VERSION!r}: rebuild with `labledger xrd references`",
        )
    try:
        return {name: PhaseRef.from_dict(d) for name, d in doc["phases"].items()}
    except (KeyError, TypeError, ValueError) as err:
        raise InputFileError(path, f"damaged references file ({err}); rebuild it") from None
