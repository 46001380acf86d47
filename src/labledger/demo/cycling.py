"""Synthetic demo cycling files modelled on the reference study (Lin et al., Nanoscale 2025, 17,
1282; doi 10.1039/d4nr04455j): Li half cells on bare Cu, CNT, LLTO and LLTO@CNT hosts, and
NCM622 full and anode-free cells. `write_demo_cycling(raw_dir)` writes them (deterministic) and
returns a `DemoCell` per file with the protocol facts and the true figures built into the data.

Assumptions (not from the study): NCM622 cathode 2.0 mAh/cm2 (so 1 C = 2.26 mA on 1.13 cm2);
half cells are precycled once 0-2.5 V at 0.1 mA before Li deposition; stripping cut-off 1.0 V;
full-cell formation is not separate (cycle 1 is the first 0.2 C / 0.5 C cycle, the reference).
Headline CE values are means over analysed cycles 2..N (N = all cycles after precycling).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from labledger.demo.cycling_synthetic import (
    Segment,
    build_table,
    write_arbin_csv,
    write_generic_csv,
    write_land_csv,
    write_land_xlsx,
)

AREA_CM2 = 1.13  # 12 mm disc: pi * 0.6**2 = 1.131 cm2
NCM622_MAH_CM2 = 2.0  # assumed areal capacity of the NCM622 cathode
NCM622_MG_CM2 = 11.0  # assumed cathode loading (as in the demo cell records)
PRECYCLES = 1  # 0-2.5 V sweep cycles before Li deposition (count as in the demo cell records)
PRECYCLE_CURRENT_MA = 0.1
STRIP_CUTOFF_V = 1.0
FIRST_PLATING_POINTS = 400  # finely sampled first plating, to resolve the nucleation tip
SEED = 20250101


@dataclass(frozen=True)
class DemoCell:
    """One demo cell: record facts, protocol and the true figures built into its file."""

    record_id: str
    file_name: str
    cell_type: str  # half | full | anode-free
    electrode: str  # working electrode / host label (e.g. "LLTO@CNT", "Cu foil")
    current_density_mA_cm2: float  # half cells: plating/stripping; full cells: discharge (0.5 C)
    areal_capacity_mAh_cm2: float  # half cells: plated per cycle; full cells: cathode capacity
    cycles: int  # analysed cycles (after precycling)
    protocol: dict = field(default_factory=dict)
    truth: dict = field(default_factory=dict)
    area_cm2: float = AREA_CM2
    dialect: str = "generic-csv"

    def to_dict(self) -> dict:
        """Plain JSON-serialisable values."""
        return asdict(self)


@dataclass(frozen=True)
class _HalfSpec:
    record_id: str
    electrode: str
    j: float  # mA/cm2
    areal: float  # mAh/cm2
    cycles: int
    mean_ce: float  # target mean over cycles 2..N
    ce_first: float
    tau: float  # cycles for the CE rise
    drift: float  # CE change per cycle after the rise (negative = decay)
    noise: float
    eta_mV: float
    hysteresis_mV: float
    hyst_growth: float  # mV per cycle
    precycle_mAh: float
    failure_cycle: int | None = None
    writer: str = "generic"


_HALF = (
    _HalfSpec(
        "C-001",
        "Cu foil",
        1,
        1,
        150,
        0.9500,
        0.85,
        2.0,
        -0.0004,
        0.004,
        100,
        45,
        0.15,
        0.03,
        failure_cycle=120,
    ),
    _HalfSpec("C-002", "CNT", 1, 1, 200, 0.9760, 0.88, 3.0, -0.00005, 0.003, 95, 38, 0.05, 0.25),
    _HalfSpec("C-003", "LLTO", 1, 1, 200, 0.9810, 0.87, 3.0, -0.00003, 0.003, 61, 34, 0.05, 0.20),
    _HalfSpec("C-004", "LLTO@CNT", 1, 1, 400, 0.9924, 0.90, 3.5, 0.0, 0.0015, 4, 24, 0.01, 0.30),
    _HalfSpec(
        "C-005",
        "LLTO@CNT",
        1,
        4,
        150,
        0.9897,
        0.92,
        3.0,
        0.0,
        0.0018,
        5,
        28,
        0.02,
        0.30,
        writer="land",
    ),
    _HalfSpec(
        "C-006",
        "LLTO@CNT",
        2,
        2,
        200,
        0.9880,
        0.90,
        3.5,
        0.0,
        0.002,
        6,
        38,
        0.02,
        0.30,
        writer="land",
    ),
    _HalfSpec(
        "C-007",
        "Cu foil",
        2,
        2,
        120,
        0.9400,
        0.82,
        2.0,
        -0.0006,
        0.006,
        130,
        70,
        0.2,
        0.03,
        writer="land",
    ),
    _HalfSpec(
        "C-008",
        "LLTO@CNT",
        4,
        4,
        275,
        0.9859,
        0.90,
        4.0,
        0.0,
        0.0025,
        8,
        52,
        0.03,
        0.30,
        writer="land",
    ),
    _HalfSpec(
        "C-013",
        "LLTO@CNT (10 wt% CNT)",
        1,
        1,
        200,
        0.9890,
        0.89,
        4.0,
        0.0,
        0.002,
        12,
        27,
        0.02,
        0.28,
    ),
    _HalfSpec(
        "C-014",
        "LLTO@CNT (30 wt% CNT)",
        1,
        1,
        200,
        0.9900,
        0.90,
        3.5,
        0.0,
        0.0018,
        4,
        25,
        0.015,
        0.32,
    ),
)


def _half_ce(spec: _HalfSpec, rng: np.random.Generator) -> np.ndarray:
    """CE per analysed cycle: a rise from `ce_first` with time constant `tau`, a drift, noise,
    and erratic values above 100 % from the failure cycle on; the healthy cycles 2.. are then
    shifted so that the mean over cycles 2..N is exactly `mean_ce`."""
    n = np.arange(1, spec.cycles + 1)
    ce = spec.mean_ce - (spec.mean_ce - spec.ce_first) * np.exp(-(n - 1) / spec.tau)
    ce = ce + spec.drift * (n - spec.cycles / 2) + rng.normal(0.0, spec.noise, n.size)
    ce[0] = spec.ce_first
    healthy = n < (spec.failure_cycle or spec.cycles + 1)
    if spec.failure_cycle:
        ce[~healthy] = 1.02 + np.abs(rng.normal(0.06, 0.05, int((~healthy).sum())))
    window = n >= 2
    shifted = window & healthy
    ce[shifted] += (spec.mean_ce * window.sum() - ce[window].sum()) / shifted.sum()
    return ce


def _half_segments(spec: _HalfSpec, ce: np.ndarray, rng: np.random.Generator) -> list[Segment]:
    segs: list[Segment] = []
    q_pre = spec.precycle_mAh
    for c in range(1, PRECYCLES + 1):  # 0-2.5 V sweeps, no Li plating
        qd = q_pre * (1.0 if c == 1 else 0.6)
        segs.append(
            Segment(
                c, -PRECYCLE_CURRENT_MA, qd, lambda x: 2.5 * (1 - x) ** 1.5, 20, protocol_step=1
            )
        )
        segs.append(
            Segment(c, PRECYCLE_CURRENT_MA, qd * 0.8, lambda x: 2.5 * x**0.7, 20, protocol_step=2)
        )
    current = spec.j * AREA_CM2
    q_plate = spec.areal * AREA_CM2
    for i in range(spec.cycles):
        cycle = PRECYCLES + 1 + i
        failed = spec.failure_cycle is not None and i + 1 >= spec.failure_cycle
        hyst = (3.0 + rng.normal(0, 0.8)) if failed else spec.hysteresis_mV + spec.hyst_growth * i
        plate_v = -hyst / 2000.0
        strip_v = hyst / 2000.0
        if i == 0:  # first plating: a voltage tip of eta_nuc at the onset, then a flat plateau
            k = FIRST_PLATING_POINTS
            x = np.linspace(1.0 / k, 1.0, k)
            x_tip = x[11]
            v_min = plate_v - spec.eta_mV / 1000.0

            def first(x, v_min=v_min, plate_v=plate_v, x_tip=x_tip):
                before = 0.25 + (v_min - 0.25) * (x / x_tip)
                after = plate_v + (v_min - plate_v) * np.exp(-(x - x_tip) / 0.012)
                return np.where(x <= x_tip, before, after)

            segs.append(Segment(cycle, -current, q_plate, first, x=x, protocol_step=3))
        else:
            noise = rng.normal(0, 0.0003, 20)

            def plate(x, v=plate_v, noise=noise):
                return v - 0.002 * x + noise[: x.size]

            segs.append(Segment(cycle, -current, q_plate, plate, 20, protocol_step=3))

        def strip(x, v=strip_v):
            tail = np.clip((x - 0.9) / 0.1, 0, 1) ** 3
            return v + 0.002 * x + (STRIP_CUTOFF_V - v) * tail

        segs.append(Segment(cycle, current, q_plate * ce[i], strip, 20, protocol_step=4))
    return segs


@dataclass(frozen=True)
class _FullSpec:
    record_id: str
    cell_type: str
    electrode: str
    n_p: float | None
    cycles: int
    writer: str


_FULL = (
    _FullSpec("C-009", "full", "Li-loaded LLTO@CNT", 4, 300, "arbin"),
    _FullSpec("C-010", "full", "Cu@Li", 4, 120, "arbin"),
    _FullSpec("C-011", "full", "Li-loaded LLTO@CNT", 2, 230, "arbin"),
    _FullSpec("C-012", "anode-free", "LLTO@CNT", None, 100, "xlsx"),
)


def _retention(spec: _FullSpec, rng: np.random.Generator) -> np.ndarray:
    n = np.arange(1, spec.cycles + 1, dtype=float)
    jitter = rng.normal(0, 0.0015, n.size)
    jitter[0] = 0.0
    if spec.record_id == "C-009":  # stable: slow linear fade, above 80 % at 300 cycles
        r = 1 - 0.0004 * (n - 1) + jitter
    elif spec.record_id == "C-010":  # Cu@Li: stable ~35 cycles, then decays
        r = np.where(n <= 35, 1 - 0.0005 * (n - 1), 0.983 - 0.006 * (n - 35)) + jitter
    elif spec.record_id == "C-011":  # N/P 2: sudden drop after ~190 cycles (Li inventory spent)
        base = 1 - 0.0003 * (n - 1)
        drop = base[189] * (0.15 + 0.85 * np.exp(-(n - 190) / 6))
        r = np.where(n <= 190, base, drop) + jitter
    else:  # anode-free: geometric fade to exactly 42 % at cycle 100
        r = 0.42 ** ((n - 1) / 99) + jitter
        r[99] = 0.42
    r[0] = 1.0
    return np.maximum(r, 0.02)


def _ocv(s: np.ndarray) -> np.ndarray:
    """A smooth NCM622-like open-circuit voltage (V) against state of charge s in [0, 1]."""
    return 3.55 + 0.55 * s + 0.25 * s**6 - 0.3 * (1 - s) ** 12


def _full_segments(spec: _FullSpec, r: np.ndarray, rng: np.random.Generator):
    one_c = NCM622_MAH_CM2 * AREA_CM2
    q0 = 0.975 * one_c  # first discharge, mAh
    ce = np.clip(0.997 + rng.normal(0, 0.001, r.size), 0.99, 0.9995)
    ce[0] = 0.87
    if spec.cell_type == "anode-free":
        ce[1:] = np.clip(r[1:] / r[:-1] * 0.999 + 0.0, 0.5, 0.9995)
    segs = []
    for i in range(r.size):
        q_dis = q0 * r[i]
        q_ch = q_dis / ce[i]
        pol = 0.0004 * i

        def charge(x, pol=pol):  # cathode delithiation from empty (x = 0) to full
            return np.minimum(_ocv(x) + 0.04 + pol, 4.3)

        def discharge(x, pol=pol):
            return np.maximum(_ocv(1 - x) - 0.08 - pol - 0.15 * x**12, 3.0)

        segs.append(Segment(i + 1, 0.2 * one_c, q_ch, charge, 15, protocol_step=1))
        segs.append(Segment(i + 1, -0.5 * one_c, q_dis, discharge, 15, protocol_step=2))
    return segs, ce


def _window_truth(q_plate: np.ndarray, q_strip: np.ndarray, first: int = 2) -> dict:
    ce = q_strip / q_plate
    w = slice(first - 1, None)
    return {
        "window": [first, int(q_plate.size)],
        "mean_ce": float(ce[w].mean()),
        "pooled_ce": float(q_strip[w].sum() / q_plate[w].sum()),
    }


def write_demo_cycling(raw_dir: Path) -> list[DemoCell]:
    """Write the 14 demo cycling files into `raw_dir` (created) and describe them."""
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    cells: list[DemoCell] = []
    for spec in _HALF:
        ce = _half_ce(spec, rng)
        frame = build_table(_half_segments(spec, ce, rng), rest_points=0)
        q_plate = np.full(spec.cycles, spec.areal * AREA_CM2)
        q_strip = q_plate * ce
        truth = _window_truth(q_plate, q_strip)
        reach = np.flatnonzero(ce[: (spec.failure_cycle or spec.cycles + 1) - 1] >= 0.99)
        truth.update(
            first_cycle_ce_99=int(reach[0] + 1) if reach.size else None,
            eta_nuc_mV=spec.eta_mV,
            failure_cycle=spec.failure_cycle,
            ce=[float(c) for c in ce],
        )
        comment = (
            f"Demo half cell {spec.record_id}: Li || {spec.electrode}, {spec.j} mA/cm2, "
            f"{spec.areal} mAh/cm2, area {AREA_CM2} cm2"
        )
        if spec.writer == "land":
            name, dialect = f"{spec.record_id}.csv", "chinese-header-csv"
            write_land_csv(frame, raw_dir / name, comment)
        else:
            name, dialect = f"{spec.record_id}.csv", "generic-csv"
            write_generic_csv(frame, raw_dir / name, comment)
        protocol = {
            "precycling": f"{PRECYCLES} cycles 0-2.5 V at {PRECYCLE_CURRENT_MA} mA",
            "precycles": PRECYCLES,
            "precycle_voltage_min_V": 0.0,
            "precycle_voltage_max_V": 2.5,
            "strip_cutoff_V": STRIP_CUTOFF_V,
        }
        cells.append(
            DemoCell(
                spec.record_id,
                name,
                "half",
                spec.electrode,
                float(spec.j),
                float(spec.areal),
                spec.cycles,
                protocol,
                truth,
                dialect=dialect,
            )
        )
    for full in _FULL:
        r = _retention(full, rng)
        segs, ce = _full_segments(full, r, rng)
        frame = build_table(segs)
        below = np.flatnonzero(r[1:] < 0.8)
        truth = {
            "reference_cycle": 1,
            "cycle_life": int(below[0] + 2) if below.size else None,
            "retention": [float(x) for x in r],
            "final_retention": float(r[-1]),
            "mean_ce": float(ce[1:].mean()),
            "window": [2, int(r.size)],
        }
        if full.cell_type == "anode-free":
            truth["retention_100"] = float(r[99])
        comment = (
            f"Demo {full.cell_type} cell {full.record_id}: NCM622 ({NCM622_MAH_CM2} "
            f"mAh/cm2) vs {full.electrode}, 0.2 C charge / 0.5 C discharge, 3.0-4.3 V"
        )
        if full.writer == "xlsx":
            name, dialect = f"{full.record_id}.xlsx", "land-xlsx"
            mass_g = NCM622_MG_CM2 * AREA_CM2 / 1000.0
            write_land_xlsx(frame, raw_dir / name, comment, mass_g=mass_g)
        else:
            name, dialect = f"{full.record_id}.csv", "arbin-csv"
            write_arbin_csv(frame, raw_dir / name, comment)
        protocol = {
            "charge_C_rate": 0.2,
            "discharge_C_rate": 0.5,
            "cutoff_low_V": 3.0,
            "cutoff_high_V": 4.3,
            "charge_mA_cm2": 0.2 * NCM622_MAH_CM2,
            "discharge_mA_cm2": 0.5 * NCM622_MAH_CM2,
            "n_p_ratio": full.n_p,
            "cathode": "NCM622",
            "cathode_mAh_cm2": NCM622_MAH_CM2,
        }
        cells.append(
            DemoCell(
                full.record_id,
                name,
                full.cell_type,
                full.electrode,
                0.5 * NCM622_MAH_CM2,
                NCM622_MAH_CM2,
                int(r.size),
                protocol,
                truth,
                dialect=dialect,
            )
        )
    return cells
