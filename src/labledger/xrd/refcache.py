"""Which reference pattern each phase uses: matched by CIF sha256 in a references file or in the
per-CIF cache, and built there (with pymatgen, once) when missing.

`refdata` holds the patterns as plain data; `references` builds them. This module sits above
both, so neither imports the other back.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from labledger.errors import InputFileError
from labledger.hashing import sha256_file
from labledger.xrd.phases import PREFERRED_ORIENTATION
from labledger.xrd.refdata import REFERENCE_CODE_VERSION, PhaseRef, load_reference_file


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/labledger/xrd (or ~/.cache/labledger/xrd)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "labledger" / "xrd"


def resolve_references(
    phases: dict[str, Path], references: str | Path | None = None
) -> dict[str, PhaseRef]:
    """The reference of every phase in `phases` (name -> CIF), matched by CIF sha256.

    With `references` (a file from `build_references`), every phase must be in it with the
    same CIF hash, else `InputFileError` says to rebuild. Without, the per-CIF default cache is
    used, and a missing entry is built (this once imports pymatgen).
    """
    wanted = {name: sha256_file(p) for name, p in phases.items()}
    out: dict[str, PhaseRef] = {}
    if references is not None:
        have = load_reference_file(references)
        by_sha = {r.cif_sha256: r for r in have.values()}
        for name, sha in wanted.items():
            ref = have.get(name)
            if ref is None or ref.cif_sha256 != sha:
                ref = by_sha.get(sha)
            if ref is None:
                raise InputFileError(
                    references,
                    f"no reference for phase '{name}' ({phases[name]}, sha256 {sha[:12]}); "
                    "rebuild with `labledger xrd references --phase NAME=path.cif ...`",
                )
            out[name] = _renamed(ref, name)
        return out
    cache = default_cache_dir()
    missing = {}
    for name, sha in wanted.items():
        f = cache / f"{sha}-{REFERENCE_CODE_VERSION}.json"
        if f.is_file():
            try:
                (ref,) = load_reference_file(f).values()
                out[name] = _renamed(ref, name)
                continue
            except (InputFileError, ValueError):
                pass
        missing[name] = phases[name]
    if missing:
        from labledger.xrd.references import build_references

        cache.mkdir(parents=True, exist_ok=True)
        for name, p in missing.items():
            f = cache / f"{wanted[name]}-{REFERENCE_CODE_VERSION}.json"
            build_references({name: p}, f)
            (ref,) = load_reference_file(f).values()
            out[name] = _renamed(ref, name)
    return {name: out[name] for name in phases}


def _renamed(ref: PhaseRef, name: str) -> PhaseRef:
    """`ref` under the name the user gave, with that name's preferred-orientation axis."""
    return replace(ref, name=name, preferred_orientation=PREFERRED_ORIENTATION.get(name))
