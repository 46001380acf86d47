"""The reference phases labledger ships, as CIF files beside this module.

Each CIF names its source and which values are idealised in its header comment. A user adds or
replaces a phase with `NAME=path.cif` (`parse_phase_option`).
"""

from __future__ import annotations

from pathlib import Path

from labledger.errors import InputFileError

PHASE_DIR = Path(__file__).parent

# name -> CIF file; names are what results and the database call the phases.
DEFAULT_PHASE_FILES: dict[str, str] = {
    "LLTO_tetragonal": "LLTO_tetragonal.cif",
    "LLTO_cubic": "LLTO_cubic.cif",
    "Li2La2Ti3O10": "Li2La2Ti3O10.cif",
    "rutile": "rutile.cif",
    "anatase": "anatase.cif",
    "La2O3": "La2O3.cif",
    "Li2TiO3": "Li2TiO3.cif",
    "Li2CO3": "Li2CO3.cif",
    "La(OH)3": "La_OH_3.cif",
    "La2Ti2O7": "La2Ti2O7.cif",
    "Li4Ti5O12": "Li4Ti5O12.cif",
    "LiOH": "LiOH.cif",
}

# Phases whose platelets lie flat in a powder mount: March-Dollase preferred orientation along
# this direction (the stacking axis of the layered perovskite, c in both CIFs).
PREFERRED_ORIENTATION: dict[str, tuple[int, int, int]] = {
    "Li2La2Ti3O10": (0, 0, 1),
    "La2Ti2O7": (0, 0, 1),
}


def default_phases() -> dict[str, Path]:
    """The shipped candidate phases, name -> CIF path."""
    return {name: PHASE_DIR / fn for name, fn in DEFAULT_PHASE_FILES.items()}


def parse_phase_option(text: str) -> tuple[str, Path]:
    """Parse `NAME=path.cif`; raises `InputFileError` when malformed or the CIF is missing."""
    name, sep, path = text.partition("=")
    name, path = name.strip(), path.strip()
    if not sep or not name or not path:
        raise InputFileError(text, "expected --phase NAME=path.cif")
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputFileError(p, f"CIF for phase '{name}' not found")
    return name, p


def candidate_phases(
    extra: list[str] | tuple[str, ...] = (), only: list[str] | tuple[str, ...] | None = None
) -> dict[str, Path]:
    """Default phases, plus/replaced by `NAME=path.cif` options, optionally limited to `only`."""
    phases = default_phases()
    for opt in extra:
        name, path = parse_phase_option(opt)
        phases[name] = path
    if only:
        unknown = [n for n in only if n not in phases]
        if unknown:
            raise InputFileError(
                ", ".join(unknown),
                f"unknown phase name(s); known: {', '.join(sorted(phases))}",
            )
        phases = {n: phases[n] for n in only}
    return phases
