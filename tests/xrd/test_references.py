"""Reference patterns: pymatgen's positions and intensities, cell data, cache keys."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from labledger.errors import InputFileError
from labledger.hashing import sha256_file
from labledger.xrd.phases import PHASE_DIR, candidate_phases, default_phases
from labledger.xrd.refcache import default_cache_dir, resolve_references
from labledger.xrd.refdata import REFERENCE_CODE_VERSION, d_spacings

# Standard atomic weights (IUPAC 2021, abridged), for an independent cell-mass check.
MASS = {"H": 1.008, "Li": 6.94, "La": 138.905, "Ti": 47.867, "O": 15.999}


def test_every_shipped_phase_has_a_sourced_cif():
    for name, path in default_phases().items():
        head = path.read_text().splitlines()[0]
        assert head.startswith("#"), name
        assert "Source" in path.read_text()[:1500], name


def test_cell_data(refs):
    cubic = refs["LLTO_cubic"]
    # partial occupancies count: La 0.56, Li 0.33, Ti, 3 O
    expected = 0.56 * MASS["La"] + 0.33 * MASS["Li"] + MASS["Ti"] + 3 * MASS["O"]
    assert cubic.cell_mass == pytest.approx(expected, rel=2e-3)
    assert cubic.cell_volume == pytest.approx(3.8751**3, rel=1e-6)
    assert cubic.crystal_system == "cubic"
    assert refs["Li2TiO3"].crystal_system == "monoclinic"
    assert refs["Li2TiO3"].space_group == "C2/c"
    assert refs["Li2La2Ti3O10"].preferred_orientation == (0, 0, 1)
    assert refs["rutile"].preferred_orientation is None


def test_cell_data_of_the_secondary_phases(refs):
    """Space group, cell content and Z of La2Ti2O7, Li4Ti5O12 and LiOH as published."""
    lto = refs["La2Ti2O7"]
    assert (lto.space_group, lto.crystal_system) == ("P2_1", "monoclinic")
    assert lto.z == 4
    assert lto.cell_mass == pytest.approx(
        4 * (2 * MASS["La"] + 2 * MASS["Ti"] + 7 * MASS["O"]), rel=1e-3
    )
    assert lto.preferred_orientation == (0, 0, 1)  # c: the stacking axis of the slabs
    spinel = refs["Li4Ti5O12"]
    assert (spinel.space_group, spinel.crystal_system) == ("Fd-3m", "cubic")
    # Li[Li1/3 Ti5/3]O4 with Z = 8: 8/3 formula units of Li4Ti5O12 per cell
    li4ti5o12 = 4 * MASS["Li"] + 5 * MASS["Ti"] + 12 * MASS["O"]
    assert spinel.cell_mass == pytest.approx(8 / 3 * li4ti5o12, rel=1e-3)
    assert spinel.cell_volume == pytest.approx(8.357**3, rel=1e-6)
    lioh = refs["LiOH"]
    assert (lioh.space_group, lioh.crystal_system) == ("P4/nmm", "tetragonal")
    assert lioh.z == 2
    assert lioh.cell_mass == pytest.approx(2 * (MASS["Li"] + MASS["O"] + MASS["H"]), rel=1e-3)


@pytest.mark.parametrize(
    ("name", "strongest_deg"),
    [("Li4Ti5O12", 18.37), ("LiOH", 32.58), ("La2Ti2O7", 29.85)],
)
def test_strongest_line_of_the_secondary_phases(references_file, name, strongest_deg):
    """Spinel 111, LiOH 101 and the La2Ti2O7 211 / 21-2 pair are the strongest Cu Ka1 lines."""
    doc = json.loads(references_file.read_text())["phases"][name]
    k = int(np.argmax(doc["intensity_cuka1"]))
    assert doc["two_theta_cuka1_deg"][k] == pytest.approx(strongest_deg, abs=0.05)


def test_positions_match_pymatgen_for_a_strained_cell(refs):
    """d from our metric tensor equals pymatgen's for a changed (refined) monoclinic cell."""
    from pymatgen.analysis.diffraction.xrd import XRDCalculator
    from pymatgen.core import Lattice
    from pymatgen.io.cif import CifParser

    ref = refs["Li2TiO3"]
    s = CifParser(str(PHASE_DIR / "Li2TiO3.cif")).parse_structures(primitive=False)[0]
    new = (5.08, 8.75, 9.80, 90.0, 100.9, 90.0)
    s.lattice = Lattice.from_parameters(*new)
    pat = XRDCalculator("CuKa1").get_pattern(s, scaled=False, two_theta_range=(10, 80))
    ours = 2 * np.degrees(np.arcsin(1.54056 / (2 * d_spacings(ref.hkl, new))))
    for tt, fams in zip(pat.x, pat.hkls, strict=True):
        for fam in fams:
            k = int(np.flatnonzero((ref.hkl == fam["hkl"]).all(axis=1))[0])
            assert ours[k] == pytest.approx(tt, abs=1e-6)


def test_stored_intensities_reproduce_pymatgen(references_file):
    doc = json.loads(references_file.read_text())["phases"]["rutile"]
    f2m = np.asarray(doc["f2m"])
    tt = 2 * np.degrees(np.arcsin(1.54056 / (2 * np.asarray(doc["d_A"]))))
    th = np.radians(tt / 2)
    lp = (1 + np.cos(2 * th) ** 2) / (np.sin(th) ** 2 * np.cos(th))
    # merged peaks: sum families at equal 2theta, compare with pymatgen's Ka1 pattern
    ours = {}
    for t, i in zip(np.round(tt, 6), f2m * lp, strict=True):
        ours[t] = ours.get(t, 0.0) + i
    theirs = dict(zip(np.round(doc["two_theta_cuka1_deg"], 6), doc["intensity_cuka1"], strict=True))
    assert set(ours) == set(theirs)
    for t, v in theirs.items():
        assert ours[t] == pytest.approx(v, rel=1e-9)
    # rutile (110) is the strongest Cu Ka line, at 27.4 deg
    k = int(np.argmax(doc["intensity_cuka1"]))
    assert doc["two_theta_cuka1_deg"][k] == pytest.approx(27.45, abs=0.05)


def test_references_file_rejects_a_changed_cif(tmp_path, references_file):
    cif = tmp_path / "rutile.cif"
    shutil.copy(PHASE_DIR / "rutile.cif", cif)
    cif.write_text(cif.read_text().replace("4.59370000", "4.60000000"))
    with pytest.raises(InputFileError, match="no reference for phase 'rutile'"):
        resolve_references({"rutile": cif}, references_file)


def test_references_file_matches_by_hash_under_a_new_name(references_file):
    refs = resolve_references({"TiO2_R": PHASE_DIR / "rutile.cif"}, references_file)
    assert refs["TiO2_R"].name == "TiO2_R"
    assert refs["TiO2_R"].cif_sha256 == sha256_file(PHASE_DIR / "rutile.cif")


def test_default_cache_is_built_once_and_keyed(tmp_path):
    phases = {"rutile": PHASE_DIR / "rutile.cif"}
    refs = resolve_references(phases)
    key = f"{sha256_file(phases['rutile'])}-{REFERENCE_CODE_VERSION}.json"
    cached = default_cache_dir() / key
    assert cached.is_file()
    stamp = cached.stat().st_mtime_ns
    again = resolve_references(phases)
    assert cached.stat().st_mtime_ns == stamp  # reused, not rebuilt
    np.testing.assert_array_equal(again["rutile"].f2m, refs["rutile"].f2m)


def test_stale_code_version_is_refused(tmp_path, references_file):
    doc = json.loads(references_file.read_text())
    doc["code_version"] = "xrd-ref-0"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    with pytest.raises(InputFileError, match="rebuild"):
        resolve_references(default_phases(), old)


def test_phase_options(tmp_path):
    cif = tmp_path / "x.cif"
    shutil.copy(PHASE_DIR / "anatase.cif", cif)
    phases = candidate_phases([f"TiO2_A={cif}"], ["TiO2_A", "rutile"])
    assert list(phases) == ["TiO2_A", "rutile"]
    with pytest.raises(InputFileError, match=r"NAME=path\.cif"):
        candidate_phases(["no-equals-sign"])
    with pytest.raises(InputFileError, match="not found"):
        candidate_phases([f"X={tmp_path / 'missing.cif'}"])
    with pytest.raises(InputFileError, match="unknown phase"):
        candidate_phases([], ["unobtainium"])
