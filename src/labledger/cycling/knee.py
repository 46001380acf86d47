"""Onset of capacity decay: the breakpoint of a two-line fit of retention against cycle."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Fewest cycles on each side of a knee in the two-line fit of retention vs cycle.
KNEE_MIN_SEGMENT = 5


def knee_cycle(cycles: Sequence[int], retention: Sequence[float | None]) -> int | None:
    """Last cycle before the slope changes: the breakpoint of the best two-line fit.

    1. For every split k (at least KNEE_MIN_SEGMENT cycles each side) fit a straight line to
       retention (fraction) vs cycle on each side by least squares.
    2. Return the cycle at the split with the smallest total squared residual; None when there
       are fewer than 2 x KNEE_MIN_SEGMENT cycles with a retention.
    """
    x = np.asarray(cycles, float)
    y = np.asarray([np.nan if r is None else r for r in retention], float)
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 2 * KNEE_MIN_SEGMENT:
        return None
    best, best_sse = None, np.inf
    for k in range(KNEE_MIN_SEGMENT, len(x) - KNEE_MIN_SEGMENT + 1):
        sse = 0.0
        for xs, ys in ((x[:k], y[:k]), (x[k:], y[k:])):
            coef = np.polyfit(xs, ys, 1)
            sse += float(np.sum((np.polyval(coef, xs) - ys) ** 2))
        if sse < best_sse:
            best, best_sse = int(x[k - 1]), sse
    return best
