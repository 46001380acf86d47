"""Build reference patterns from CIF files (imports pymatgen; never used per scan).

Method, per phase:
1. Parse the CIF as given (conventional cell, `primitive=False`); the crystal system and space
   group come from pymatgen's SpacegroupAnalyzer (symprec `SYMPREC`).
2. `XRDCalculator("CuKa1").get_pattern(structure, scaled=False, two_theta_range=RANGE)` gives
   merged peaks with intensity I = |F|^2 * m * LP(theta), LP = (1 + cos^2 2theta) /
   (sin^2 theta cos theta) (pymatgen's Lorentz-polarisation factor, no Debye-Waller term).
   The same with "CuKa2" is computed as a check and stored.
3. |F|^2 * m = I / LP is wavelength-free; a merged peak holding several {hkl} families
   (accidental overlap) is shared among them in proportion to multiplicity (exact for
   symmetry-equivalent families; an approximation only for accidental overlaps).
4. Cell data: lattice parameters, crystal system, cell mass (sum of occupancy x atomic mass,
   so partial occupancies count), cell volume, Z (formula units of the reduced formula).
The output JSON carries the CIF sha256 and `REFERENCE_CODE_VERSION` so a stale cache is never
used for a changed CIF or code.
"""

from __future__ import annotations

import json
import math
import warnings
from importlib.metadata import version
from pathlib import Path

from labledger.atomic import write_text_atomic
from labledger.errors import InputFileError
from labledger.hashing import sha256_file
from labledger.xrd.refdata import CACHE_FORMAT, REFERENCE_CODE_VERSION

# Symmetry tolerance (angstrom) for the crystal-system assignment: CIF coordinates are printed
# to 4-5 decimals, so 0.01 A accepts their rounding but not a real distortion.
SYMPREC = 0.01
# 2theta range (deg, Cu Ka1) of the stored reflections: d from 44 A down to 0.80 A covers a
# 5-150 deg Cu scan.
RANGE = (2.0, 150.0)


def _lp(two_theta_deg: float) -> float:
    th = math.radians(two_theta_deg / 2)
    return (1 + math.cos(2 * th) ** 2) / (math.sin(th) ** 2 * math.cos(th))


def reference_for_cif(name: str, cif: Path) -> dict:
    """The reference record (plain data) of one phase from its CIF."""
    from pymatgen.analysis.diffraction.xrd import XRDCalculator
    from pymatgen.io.cif import CifParser
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            structure = CifParser(str(cif)).parse_structures(primitive=False)[0]
    except Exception as err:  # pymatgen raises many types for bad CIFs
        raise InputFileError(cif, f"cannot read the CIF of phase '{name}' ({err})") from None
    structure = structure.copy()
    structure.remove_oxidation_states()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # spglib's, not ours
        sga = SpacegroupAnalyzer(structure, symprec=SYMPREC)
        space_group, crystal_system = sga.get_space_group_symbol(), sga.get_crystal_system()
    lat = structure.lattice
    ka1 = XRDCalculator("CuKa1").get_pattern(structure, scaled=False, two_theta_range=RANGE)
    ka2 = XRDCalculator("CuKa2").get_pattern(structure, scaled=False, two_theta_range=RANGE)
    hkl, f2m, mult, d_ref = [], [], [], []
    for tt, inten, fams, d in zip(ka1.x, ka1.y, ka1.hkls, ka1.d_hkls, strict=True):
        total_m = sum(f["multiplicity"] for f in fams)
        base = inten / _lp(tt)
        for fam in fams:
            h = fam["hkl"]
            if len(h) == 4:  # hexagonal Miller-Bravais (h k i l) -> (h k l)
                h = (h[0], h[1], h[3])
            hkl.append([int(x) for x in h])
            f2m.append(base * fam["multiplicity"] / total_m)
            mult.append(fam["multiplicity"])
            d_ref.append(d)
    comp = structure.composition
    reduced, z = comp.get_reduced_composition_and_factor()
    return {
        "name": name,
        "formula": reduced.formula.replace(" ", ""),
        "space_group": space_group,
        "crystal_system": crystal_system,
        "lattice": [lat.a, lat.b, lat.c, lat.alpha, lat.beta, lat.gamma],
        "cell_mass_amu": float(comp.weight),
        "cell_volume_A3": float(lat.volume),
        "z": float(z),
        "hkl": hkl,
        "f2m": f2m,
        "multiplicity": mult,
        "d_A": d_ref,
        "d_min_A": 1.54056 / (2 * math.sin(math.radians(RANGE[1] / 2))),
        "intensity_cuka1": [float(y) for y in ka1.y],
        "two_theta_cuka1_deg": [float(x) for x in ka1.x],
        "intensity_cuka2": [float(y) for y in ka2.y],
        "two_theta_cuka2_deg": [float(x) for x in ka2.x],
        "cif_sha256": sha256_file(cif),
        "cif_path": str(cif),
        "code_version": REFERENCE_CODE_VERSION,
        "pymatgen_version": version("pymatgen"),
    }


def build_references(phases: dict[str, Path], out: Path) -> Path:
    """Compute the reference of every phase (name -> CIF path) and write them to `out` (JSON)."""
    out = Path(out)
    doc = {
        "format": CACHE_FORMAT,
        "code_version": REFERENCE_CODE_VERSION,
        "phases": {name: reference_for_cif(name, Path(cif)) for name, cif in phases.items()},
    }
    return write_text_atomic(out, json.dumps(doc, separators=(",", ":")))
