"""An impedance spectrum as read from a file, and the checks every reader applies to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from labledger.errors import InputFileError

MIN_POINTS = 10
"""Fewest frequencies accepted: the default circuit has 7 parameters and each point gives 2
equations; fewer than 10 points leave too little redundancy to judge a fit."""

MAX_FREQUENCY_HZ = 1e12
MAX_IMPEDANCE_OHM = 1e15
"""Limits far beyond any impedance analyser (they reach ~1e8 Hz and ~1e14 ohm): larger values
mean a damaged or mislabelled file, and would overflow the fit."""

DUPLICATE_RTOL = 1e-6
"""Two rows at the same frequency count as one repeated row if their Z agree this closely."""


@dataclass(frozen=True)
class Spectrum:
    """One impedance sweep.

    frequency_Hz: strictly decreasing frequencies (Hz). Z: complex impedance (ohm) in the physics
    convention Z = Z' + jZ'' with Z'' < 0 for capacitive arcs. notes: every assumption and cleaning
    step made when reading. source_format: e.g. "csv", "biologic-mpt", "gamry-dta".
    """

    frequency_Hz: np.ndarray
    Z: np.ndarray
    source_format: str
    path: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return int(self.frequency_Hz.size)

    def subset(self, mask: np.ndarray, note: str | None = None) -> Spectrum:
        """A copy holding only the points where mask is True (optionally adding a note)."""
        notes = (*self.notes, note) if note else self.notes
        return Spectrum(self.frequency_Hz[mask], self.Z[mask], self.source_format, self.path, notes)

    def to_dict(self) -> dict:
        """Plain data: frequencies, Z' and Z'' lists (ohm), format, path and notes."""
        return {
            "path": self.path,
            "source_format": self.source_format,
            "n_points": len(self),
            "frequency_Hz": self.frequency_Hz.tolist(),
            "Z_real_ohm": self.Z.real.tolist(),
            "Z_imag_ohm": self.Z.imag.tolist(),
            "notes": list(self.notes),
        }


def complex_of(real: np.ndarray, imag: np.ndarray) -> np.ndarray:
    """Z' + jZ'' built part by part: an inf or NaN in one part stays there (to be dropped as a
    bad row) instead of raising numpy's invalid-value warning in 1j * inf."""
    z = np.empty(np.shape(real), dtype=complex)
    z.real = real
    z.imag = imag
    return z


def checked_spectrum(
    path: str | Path,
    frequency_Hz: np.ndarray,
    Z: np.ndarray,
    source_format: str,
    notes: list[str],
    lines: list[int] | None = None,
) -> Spectrum:
    """Validate and tidy raw columns into a Spectrum, or raise InputFileError.

    Steps: (1) rows with a non-finite value are dropped and noted; (2) rows at f <= 0 Hz (DC
    or rest rows of galvanostatic or Parstat exports) are dropped and counted in a note; (3) rows
    repeated at one frequency with the same Z are dropped and noted, with a different Z they are
    an error (the file probably holds more than one sweep); (4) the frequencies must be monotonic
    in file order (one sweep), else error; (5) at least MIN_POINTS must remain; (6) the result is
    ordered from high to low frequency.
    `lines` gives the file line of each row, for messages.
    """
    f = np.asarray(frequency_Hz, dtype=float)
    z = np.asarray(Z, dtype=complex)
    ln = np.asarray(lines if lines is not None else np.arange(1, f.size + 1))
    notes = list(notes)

    where = "line(s)" if lines is not None else "row(s)"
    bad = ~(np.isfinite(f) & np.isfinite(z.real) & np.isfinite(z.imag))
    if bad.any():
        bad_lines = [int(x) for x in ln[bad]]
        shown = ", ".join(map(str, bad_lines[:8])) + (" ..." if len(bad_lines) > 8 else "")
        notes.append(
            f"dropped {int(bad.sum())} row(s) with a missing or non-numeric value ({where} {shown})"
        )
        f, z, ln = f[~bad], z[~bad], ln[~bad]
    nonpos = f <= 0
    if nonpos.any():
        bad_lines = [int(x) for x in ln[nonpos]]
        shown = ", ".join(map(str, bad_lines[:8])) + (" ..." if len(bad_lines) > 8 else "")
        notes.append(
            f"dropped {int(nonpos.sum())} row(s) with frequency <= 0 Hz (not an impedance "
            f"point: DC or rest rows; {where} {shown})"
        )
        f, z, ln = f[~nonpos], z[~nonpos], ln[~nonpos]
    huge = (f > MAX_FREQUENCY_HZ) | (np.abs(z) > MAX_IMPEDANCE_OHM)
    if huge.any():
        i = int(np.argmax(huge))
        raise InputFileError(
            path,
            f"frequency {f[i]:g} Hz, impedance {abs(z[i]):g} ohm: beyond any impedance analyser "
            f"(expected up to {MAX_FREQUENCY_HZ:g} Hz and {MAX_IMPEDANCE_OHM:g} ohm)",
            line=where_at(ln, i, lines),
        )
    # repeated frequencies
    keep = np.ones(f.size, dtype=bool)
    first_at: dict[float, int] = {}
    n_rep = 0
    for i, fi in enumerate(f):
        j = first_at.get(fi)
        if j is None:
            first_at[fi] = i
            continue
        if abs(z[i] - z[j]) <= DUPLICATE_RTOL * max(abs(z[j]), 1e-300):
            keep[i] = False
            n_rep += 1
        else:
            raise InputFileError(
                path,
                f"frequency {fi:g} Hz appears twice with different impedance (rows at lines "
                f"{int(ln[j])} and {int(ln[i])}); the file seems to hold more than one sweep. "
                "Split it into one file per sweep.",
                line=where_at(ln, i, lines),
            )
    if n_rep:
        notes.append(f"dropped {n_rep} repeated row(s) (same frequency and impedance)")
        f, z, ln = f[keep], z[keep], ln[keep]
    if f.size >= 2:
        d = np.sign(np.diff(f))
        if not (np.all(d < 0) or np.all(d > 0)):
            direction = d[0]
            i = int(np.argmax(d != direction)) + 1
            raise InputFileError(
                path,
                f"frequencies are not monotonic: {f[i - 1]:g} Hz is followed by {f[i]:g} Hz "
                "against the direction of the sweep; expected one sweep from high to low (or low "
                "to high) frequency.",
                line=where_at(ln, i, lines),
            )
    if f.size < MIN_POINTS:
        dropped = [n for n in notes if n.startswith("dropped ")]
        why = f" ({'; '.join(dropped)})" if dropped else ""
        raise InputFileError(
            path,
            f"only {f.size} usable data point(s); at least {MIN_POINTS} are needed for a fit{why}",
        )
    order = np.argsort(-f)
    return Spectrum(f[order], z[order], source_format, str(path), tuple(notes))


def where_at(ln: np.ndarray, i: int, lines: list[int] | None) -> int | None:
    """The file line of row i, when lines are known."""
    return int(ln[i]) if lines is not None else None
