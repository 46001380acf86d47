"""The line shape of the whole-pattern fit: an area-normalised split pseudo-Voigt.

A line of FWHM H at position p: the half below p has FWHM H (1 + s), the half above H (1 - s),
and each half is scaled by its (1 +- s), so the profile is continuous at p, has unit area and
mean FWHM H (s = 0: the symmetric pseudo-Voigt). Mixing eta: eta Lorentz + (1 - eta) Gauss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LN2 = np.log(2.0)
_CG = 2.0 * np.sqrt(LN2 / np.pi)
_CL = 2.0 / np.pi


@dataclass(frozen=True)
class LineValues:
    """The profile at each point and, when asked, its derivatives with respect to the line's
    position, its mean FWHM H, the mixing eta and the split s (per unit intensity)."""

    value: np.ndarray
    d_pos: np.ndarray | None = None
    d_h: np.ndarray | None = None
    d_eta: np.ndarray | None = None
    d_split: np.ndarray | None = None


def split_pseudo_voigt(
    dx: np.ndarray, h: np.ndarray, split: np.ndarray, eta: float, derivatives: bool = True
) -> LineValues:
    """The profile at offsets `dx` (deg, point - line position) of lines of mean FWHM `h` (deg)
    and split `split` (-1 < s < 1), element by element."""
    # the half a point lies in: sigma +1 below the line, -1 above; q = 1 + sigma s
    sigma = np.where(dx < 0, 1.0, -1.0)
    q = 1 + sigma * split
    hh = h * q
    u = dx / hh
    u2 = u * u
    gau = _CG / hh * np.exp(-4 * LN2 * u2)
    lor = _CL / hh / (1 + 4 * u2)
    pv = eta * lor + (1 - eta) * gau
    if not derivatives:
        return LineValues(q * pv)
    dg_dx = gau * (-8 * LN2 * u / hh)
    dl_dx = lor * (-8 * u / hh) / (1 + 4 * u2)
    dg_dh = gau * (-1 + 8 * LN2 * u2) / hh
    dl_dh = lor * (-1 + 8 * u2 / (1 + 4 * u2)) / hh
    dpv_dh = eta * dl_dh + (1 - eta) * dg_dh  # at the half's own FWHM q H
    return LineValues(
        value=q * pv,
        d_pos=q * -(eta * dl_dx + (1 - eta) * dg_dx),
        d_h=q * q * dpv_dh,
        d_eta=q * (lor - gau),
        d_split=sigma * (pv + hh * dpv_dh),
    )
