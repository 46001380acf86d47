"""Starting points of circuit fits derived from the spectrum: intercepts and arc apexes."""

from __future__ import annotations

import numpy as np

from labledger.eis.circuit import Circuit, Node

__all__ = ["EXPONENT_MIN", "initial_guesses"]

EXPONENT_MIN = 0.3
"""CPE-type exponents are mapped into (EXPONENT_MIN, 1]; below 0.3 a CPE is no longer a
capacitive arc element and such fits are unphysical for our samples."""


def _features(f: np.ndarray, Z: np.ndarray) -> dict:
    """Arc apexes (local maxima of -Z'' over log f) and intercepts, ordered high -> low f."""
    order = np.argsort(-f)
    f, Z = f[order], Z[order]
    y = -Z.imag
    ys = np.convolve(np.pad(y, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    peaks = [
        i for i in range(1, len(ys) - 1) if ys[i] >= ys[i - 1] and ys[i] > ys[i + 1] and y[i] > 0
    ]
    valleys = [i for i in range(1, len(ys) - 1) if ys[i] <= ys[i - 1] and ys[i] < ys[i + 1]]
    return {
        "f": f,
        "Z": Z,
        "peaks": peaks,
        "valleys": valleys,
        "r_hf": float(max(Z.real[0], 1e-12 * np.abs(Z).max())),
    }


def _role(node: Node) -> str:
    if node.kind == "element":
        return node.etype
    if node.kind == "parallel":
        return "arc"
    return "series"


def _arc_guess(node: Node, r: float, fc: float, n_cpe: float, out: dict) -> None:
    """Fill guesses for the elements of one arc block with resistance r and apex frequency fc."""
    tau = 1 / (2 * np.pi * fc)
    for el in node.elements():
        t = el.etype
        if t == "R":
            out[el.name] = [r]
        elif t == "C":
            out[el.name] = [tau / r]
        elif t == "CPE":
            out[el.name] = [tau**n_cpe / r, n_cpe]
        elif t in ("Wo", "Ws", "G"):
            out[el.name] = [r, tau]
        elif t == "Zarc":
            out[el.name] = [r, tau, n_cpe]


def _generic(el: Node, feat: dict, span: float, out: dict) -> None:
    f, Z = feat["f"], feat["Z"]
    w_lo = 2 * np.pi * f[-1]
    t = el.etype
    if el.name in out:
        return
    if t == "R":
        out[el.name] = [max(span, 1e-12)]
    elif t == "C":
        out[el.name] = [1 / (w_lo * max(abs(Z.imag[-1]), 1e-12))]
    elif t == "CPE":
        n = 0.85
        out[el.name] = [1 / (w_lo**n * max(abs(Z[-1]), 1e-12)), n]
    elif t == "L":
        w_hi = 2 * np.pi * f[0]
        out[el.name] = [max(Z.imag[0], 1e-3 * abs(Z[0])) / w_hi]
    elif t == "W":
        out[el.name] = [max(abs(Z.imag[-1]), 1e-12) * np.sqrt(w_lo)]
    elif t in ("Wo", "Ws", "G"):
        out[el.name] = [max(span, 1e-12), 1 / w_lo]
    elif t == "La":
        out[el.name] = [1e-6, 0.9]
    elif t == "Gs":
        out[el.name] = [max(span, 1e-12), 1 / w_lo, 0.9]
    elif t == "K":
        out[el.name] = [max(span, 1e-12), 1 / w_lo]
    elif t == "Zarc":
        out[el.name] = [max(span, 1e-12), 1 / w_lo, 0.9]
    elif t == "TLMQ":
        out[el.name] = [max(span, 1e-12), 1e-3, 0.9]
    elif t == "T":
        out[el.name] = [max(span, 1e-12), max(span, 1e-12), 1.0, 1 / w_lo]
    else:  # pragma: no cover - all registry elements are listed above
        out[el.name] = [1.0] * 1


def initial_guesses(circuit: Circuit, f: np.ndarray, Z: np.ndarray, max_starts: int = 8) -> list:
    """Starting points derived from the spectrum.

    The top-level series blocks of the circuit are read as: lone resistors (high-frequency
    intercept), arcs (parallel blocks; resistance from the apex height, Q or C from the apex
    frequency tau = 1/(2 pi f_apex)), and low-frequency elements (CPE/C/W: from the lowest-frequency
    point). Variants: A, arcs on the detected apexes (-Z'' maxima) from high to low frequency,
    a missing arc placed above the window; C, the first arc above the window holding the
    high-frequency intercept (a bulk arc of LLTO at room temperature); B, arcs spread evenly in
    log f; D, a missing arc below the window. Each with CPE exponents 0.9 and 0.75, ordered so
    that the likeliest starts come first (fit_circuit stops once two starts agree).
    Returns a list of parameter vectors in the circuit's parameter order.
    """
    feat = _features(f, Z)
    fs, zs = feat["f"], feat["Z"]
    top = circuit.tree.children if circuit.tree.kind == "series" else (circuit.tree,)
    arcs = [b for b in top if _role(b) == "arc"]
    lone_r = [b for b in top if _role(b) == "R"]
    peaks = feat["peaks"]
    valleys = feat["valleys"]
    r_hf = feat["r_hf"]
    # end of the arcs: the Z' at the last valley (start of an electrode spike) or lowest f
    r_lf = float(zs.real[valleys[-1]]) if valleys else float(zs.real[-1])
    r_lf = max(r_lf, r_hf * 1.01)
    span = r_lf - r_hf
    f_hi, f_lo = fs[0], fs[-1]

    def apex(i):
        return fs[i], max(2.2 * (-zs.imag[i]), 1e-3 * span)

    detected = [apex(i) for i in peaks]
    k = len(arcs)
    order: list[tuple[str, float]] = []
    if k:
        # A: detected apexes (the k biggest, in frequency order), missing arcs above the window
        top_k = sorted(sorted(detected, key=lambda a: -a[1])[:k], key=lambda a: -a[0])
        missing = k - len(top_k)
        above = [(f_hi * 3 * 10**j, r_hf if not lone_r else r_hf * 0.5) for j in range(missing)]
        variants = {
            "B": [(fc, span / k) for fc in np.logspace(np.log10(f_hi), np.log10(f_lo), k + 2)[1:-1]]
        }
        if detected:
            variants["A"] = above[::-1] + top_k
            # D: detected apexes, missing arcs below the window
            variants["D"] = top_k + [(f_lo / 3 / 10**j, span) for j in range(missing)]
        if k >= 2:
            # C: first arc above the window holding the high-frequency intercept
            spread2 = np.logspace(np.log10(f_hi), np.log10(f_lo), k + 1)[1:-1]
            variants["C"] = [(f_hi * 3, max(r_hf, span * 0.05))] + [
                (fc, span / (k - 1)) for fc in spread2
            ]
        # priority: the detected apexes first; with an arc missing, the arc-above-window start
        # next (LLTO bulk at room temperature), else the same apexes with another exponent
        if detected:
            order.append(("A", 0.9))
            if not (missing and "C" in variants):
                order.append(("A", 0.75))
        rest = "CBD" if missing else "BDC"
        order += [(v, n) for n in (0.9, 0.75) for v in rest if v in variants]
        if detected and ("A", 0.75) not in order:
            order.insert(2, ("A", 0.75))
    else:
        variants = {"-": []}
        order = [("-", 0.9), ("-", 0.75)]
    guesses = []
    for name, n_cpe in order:
        var = variants[name]
        out: dict[str, list[float]] = {}
        for blk, (fc, r) in zip(arcs, var, strict=False):
            _arc_guess(blk, r, fc, n_cpe, out)
        for blk in lone_r:
            out[blk.elements()[0].name] = [
                max(r_hf if not var or var[0][0] < f_hi else r_hf * 0.5, 1e-12 * abs(zs[0]))
            ]
        for el in circuit.tree.elements():
            _generic(el, feat, span if el.etype != "R" else max(span / 4, 1e-12), out)
        vec = np.array([v for el in circuit.tree.elements() for v in out[el.name]])
        vec = np.where(circuit.is_exponent, np.clip(vec, EXPONENT_MIN + 0.01, 0.99), vec)
        guesses.append(np.maximum(vec, 1e-300))
    # de-duplicate, keep order
    uniq, seen = [], set()
    for g in guesses:
        key = tuple(np.round(np.log10(g), 6))
        if key not in seen:
            seen.add(key)
            uniq.append(g)
    return uniq[: max(max_starts, 1)] if len(uniq) > max_starts else uniq
