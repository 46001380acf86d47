"""What every XRD reader shares: plausibility checks of a scan, numbers and radiation stated in a
file's header, text decoding and XML parsing.

`readers` and the format modules (`xrdml`, `rigaku_ras`, `bruker_brml`, `bruker_raw`) import from
here; this module imports none of them, so the dependencies point one way.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from labledger.errors import InputFileError
from labledger.formats.xrd import TEXT_FORMATS, binary_problem
from labledger.xrd.scan import ANODE_LINES_A, CU_KA2_RATIO, Scan, Wavelength

# A scan needs enough points to fit a background and a few peaks.
MIN_POINTS = 10
# Counts per step far beyond any detector (1e12); larger values overflow the fit's squares.
MAX_COUNTS = 1e12
# Laboratory and synchrotron X-ray wavelengths (Ag Ka 0.56 A to Cr Ka 2.29 A, with margin).
WAVELENGTH_RANGE_A = (0.1, 5.0)


def checked_scan(
    path: Path,
    two_theta: np.ndarray,
    counts: np.ndarray,
    sigma: np.ndarray | None,
    wavelength: Wavelength,
    fmt: str,
    metadata: dict[str, str] | None = None,
) -> Scan:
    """Validate arrays read from `path` and build a `Scan`; raise `InputFileError` if implausible.

    A strictly decreasing scan is reversed; any other disorder is an error.
    """
    tt = np.asarray(two_theta, dtype=float)
    y = np.asarray(counts, dtype=float)
    s = None if sigma is None else np.asarray(sigma, dtype=float)
    if tt.size != y.size or (s is not None and s.size != y.size):
        raise InputFileError(path, "2theta and intensity columns have different lengths")
    if tt.size < MIN_POINTS:
        raise InputFileError(
            path, f"only {tt.size} data point(s); expected a scan of at least {MIN_POINTS}"
        )
    if not (np.all(np.isfinite(tt)) and np.all(np.isfinite(y))):
        raise InputFileError(path, "2theta or intensity holds NaN or infinite values")
    steps = np.diff(tt)
    if np.all(steps < 0):
        tt, y = tt[::-1], y[::-1]
        s = None if s is None else s[::-1]
        steps = -steps[::-1]
    if not np.all(steps > 0):
        bad = int(np.argmax(steps <= 0))
        raise InputFileError(
            path,
            f"2theta is not monotonic: point {bad + 2} ({tt[bad + 1]:g} deg) does not follow "
            f"{tt[bad]:g} deg; expected strictly increasing angles",
        )
    if tt[0] <= 0 or tt[-1] >= 180:
        raise InputFileError(
            path, f"2theta runs {tt[0]:g}..{tt[-1]:g} deg; expected angles within (0, 180) deg"
        )
    if np.max(y) > MAX_COUNTS:
        raise InputFileError(
            path, f"an intensity of {np.max(y):g}; expected counts below {MAX_COUNTS:g}"
        )
    if np.any(y < 0):
        raise InputFileError(
            path, f"{int(np.sum(y < 0))} negative intensities; expected counts >= 0"
        )
    if not np.any(y > 0):
        raise InputFileError(path, f"all {y.size} intensities are zero; expected measured counts")
    if s is not None and (not np.all(np.isfinite(s)) or np.any(s < 0)):
        raise InputFileError(path, "the sigma column holds negative or non-finite values")
    check_wavelength(path, wavelength)
    return Scan(tt, y, s, wavelength, fmt, str(path), dict(metadata or {}))


def check_wavelength(path: Path, wl: Wavelength) -> None:
    """Raise `InputFileError` unless the wavelengths and the Ka2/Ka1 ratio are plausible."""
    lo, hi = WAVELENGTH_RANGE_A
    for name, value in (("Ka1", wl.ka1_a), ("Ka2", wl.ka2_a)):
        if value is not None and not lo < value < hi:
            raise InputFileError(
                path,
                f"{name} wavelength {value:g} A; expected {lo:g}-{hi:g} A (Cu Ka1 is 1.5406 A)",
            )
    if not 0.0 <= wl.ka2_ratio <= 1.0:
        raise InputFileError(path, f"Ka2/Ka1 ratio {wl.ka2_ratio:g}; expected 0-1 (usually 0.5)")


def header_number(path: Path, text: str | None, what: str) -> float | None:
    """A number stated in a file's header (None when absent), or InputFileError naming it."""
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise InputFileError(path, f"{what} is {text.strip()[:40]!r}; expected a number") from None


def wavelength_from(
    ka1: float | None,
    ka2: float | None = None,
    ratio: float | None = None,
    anode: str | None = None,
) -> Wavelength:
    """Build a `Wavelength` from what a file states; Cu Ka when it states nothing."""
    anode = anode.strip().capitalize() if anode else None
    if ka1 is None and anode in ANODE_LINES_A:
        ka1, ka2 = ANODE_LINES_A[anode]
    if ka1 is None:
        return Wavelength()
    if ratio is None:
        ratio = CU_KA2_RATIO if ka2 else 0.0
    # monochromatic: no Ka2, a ratio of 0, or a "Ka2" equal to Ka1 (as synchrotron files say)
    if ka2 is None or ka2 <= 0 or ratio <= 0 or abs(ka2 - ka1) < 1e-6:
        ka2, ratio = None, 0.0
    return Wavelength(float(ka1), ka2 and float(ka2), float(ratio), anode, True)


def decode_text(path: Path, data: bytes, fmt: str) -> str:
    """The text of a `fmt` file (UTF-8, else Latin-1), or `InputFileError` for binary content."""
    why = binary_problem(fmt, data[:65536])
    if why:
        raise InputFileError(path, why)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # Latin-1 decodes anything; many control characters mean it was not text at all.
    ctrl = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if ctrl > 0.01 * min(len(text), 65536):
        raise InputFileError(path, f"binary content; expected a {TEXT_FORMATS[fmt]} text file")
    return text


def local_name(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def parse_xml(path: Path, data: bytes, what: str) -> ElementTree.Element:
    """The root of the XML `data`, or `InputFileError` naming `what` is damaged."""
    try:
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, LookupError) as err:  # LookupError: unknown encoding
        raise InputFileError(path, f"damaged {what} ({err}); expected well-formed XML") from None
