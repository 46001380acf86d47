"""Synthetic demo spectra for the demo records EIS-001..EIS-015 (deterministic, labelled synthetic).

Pellets (p(R1,CPE1)-p(R2,CPE2)-CPE3, sputtered Au, thickness 1.00 mm, diameter 10.0 mm):
EIS-001..008 are batches B-001..B-008 at 25 C; EIS-009..013 are B-003 at -20, 0, 50, 75, 100 C.
Conductivities follow sigma*T = A exp(-Ea/(k_B T)) with Ea_bulk = 0.40 eV (typical LLTO bulk,
DOMAIN.md: Inaguma et al. 1993; Stramare et al., Chem. Mater. 2003, 15, 3974) and Ea_gb = 0.50 eV
(grain boundaries higher; a chosen demo value). The bulk capacitance per cell constant is
9e-12 F/cm, so the bulk arc peaks at ~10-12 MHz at 25 C (above the 7 MHz window, as for LLTO,
DOMAIN.md) and enters the window at -20 and 0 C. Total conductivity peaks at 10 % Li2CO3 excess
(Li2La2Ti3O10 helps grain boundaries, DOMAIN.md), the commercial powder (B-008) is the poorest;
these trends and all magnitudes are demo choices, not measurements.
Electrodes EIS-014 (pristine LLTO@CNT, R_ct 250 ohm) and EIS-015 (lithiated, 100 ohm; R_ct values
of Lin et al., Nanoscale 2025, 17, 1282) use R0-p(R1,CPE1)-W1: electrolyte R0, charge transfer R1
with double-layer CPE1, semi-infinite Warburg W1 (R0, CPE1, W1 values are demo choices).
All spectra: 60 frequencies log-spaced 7 MHz..0.1 Hz, Gaussian noise 0.5 % of |Z| on Z' and Z''.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from labledger.eis.analysis import Geometry
from labledger.eis.circuit import PELLET_CIRCUIT, Circuit

__all__ = [
    "DemoSpectrum",
    "demo_frequencies",
    "pellet_parameters",
    "synthetic_Z",
    "write_demo_spectra",
]

ELECTRODE_CIRCUIT = "R0-p(R1,CPE1)-W1"
F_MAX_HZ, F_MIN_HZ, N_POINTS = 7e6, 0.1, 60
NOISE = 0.005
EA_BULK_EV, EA_GB_EV = 0.40, 0.50
C_BULK_F_PER_CM, N_BULK = 9e-12, 0.95
C_GB_F_PER_CM, N_GB = 3e-9, 0.85
Q_ELECTRODE, N_ELECTRODE = 5e-6, 0.90  # Au | LLTO blocking interface (demo choice)
K_B = 8.617333262e-5
T_REF_K = 298.15
PELLET = Geometry.from_options(thickness_mm=1.00, diameter_mm=10.0)
# The files name the generator by the module it first lived in (labledger.eis.demo), so the
# committed demo files stay byte-identical.
SYNTHETIC_HEADER = "SYNTHETIC demo data made by labledger.eis.demo; not a measurement"

# batch -> (Li2CO3 excess %, sintering C, sigma_bulk at 25 C, sigma_total at 25 C), S/cm
BATCHES = {
    "B-001": (0, 1150, 5.5e-4, 2.0e-5),
    "B-002": (5, 1150, 6.0e-4, 4.0e-5),
    "B-003": (10, 1150, 6.0e-4, 6.5e-5),
    "B-004": (15, 1150, 5.8e-4, 5.0e-5),
    "B-005": (20, 1150, 5.5e-4, 3.0e-5),
    "B-006": (10, 1250, 6.5e-4, 7.5e-5),
    "B-007": (20, 1250, 6.0e-4, 4.0e-5),
    "B-008": (None, None, 5.0e-4, 1.2e-5),  # commercial LLTO
}
SERIES = {"EIS-009": -20.0, "EIS-010": 0.0, "EIS-011": 50.0, "EIS-012": 75.0, "EIS-013": 100.0}


@dataclass(frozen=True)
class DemoSpectrum:
    """One demo spectrum: where it was written and the true values it was made from."""

    record_id: str
    file_name: str
    sample_id: str
    kind: str  # "pellet" or "electrode"
    temperature_C: float
    geometry: Geometry | None
    circuit: str
    parameters: dict[str, float]
    true_values: Mapping[str, float | None] = field(default_factory=dict)
    description: str = ""


def demo_frequencies() -> np.ndarray:
    """60 frequencies log-spaced from 7 MHz down to 0.1 Hz."""
    return np.logspace(np.log10(F_MAX_HZ), np.log10(F_MIN_HZ), N_POINTS)


def arrhenius_sigma(sigma_ref: float, ea_eV: float, temperature_C: float) -> float:
    """sigma(T) from sigma at 25 C with sigma*T = A exp(-Ea/(k_B T))."""
    t = temperature_C + 273.15
    return sigma_ref * (T_REF_K / t) * np.exp(-ea_eV / K_B * (1 / t - 1 / T_REF_K))


def _q_from_c_eff(c_eff: float, r: float, n: float) -> float:
    """Inverse of Brug's C_eff = Q^(1/n) R^((1-n)/n)."""
    return c_eff**n * r ** (n - 1)


def pellet_parameters(
    sigma_bulk_S_cm: float, sigma_total_S_cm: float, geometry: Geometry = PELLET
) -> tuple[list[float], dict[str, float]]:
    """Parameters of PELLET_CIRCUIT for given conductivities, and the true values."""
    k = geometry.cell_constant_per_cm
    rb, rt = k / sigma_bulk_S_cm, k / sigma_total_S_cm
    rgb = rt - rb
    if rgb <= 0:
        raise ValueError("sigma_total must be below sigma_bulk")
    cb, cgb = C_BULK_F_PER_CM / k, C_GB_F_PER_CM / k
    params = [
        rb,
        _q_from_c_eff(cb, rb, N_BULK),
        N_BULK,
        rgb,
        _q_from_c_eff(cgb, rgb, N_GB),
        N_GB,
        Q_ELECTRODE,
        N_ELECTRODE,
    ]
    truth = {
        "R_bulk_ohm": rb,
        "R_gb_ohm": rgb,
        "R_total_ohm": rt,
        "sigma_bulk_S_cm": sigma_bulk_S_cm,
        "sigma_gb_apparent_S_cm": k / rgb,
        "sigma_total_S_cm": sigma_total_S_cm,
        "f_c_bulk_Hz": 1 / (2 * np.pi * rb * cb),
        "f_c_gb_Hz": 1 / (2 * np.pi * rgb * cgb),
    }
    return params, truth


def synthetic_Z(
    circuit: str, params: list[float], frequency_Hz: np.ndarray, noise: float, seed: int
) -> np.ndarray:
    """Model impedance with Gaussian noise of `noise` x |Z| on Z' and Z'' (seeded)."""
    z = Circuit(circuit).impedance(np.asarray(params, dtype=float), frequency_Hz)
    rng = np.random.default_rng(seed)
    return z + noise * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


def record_seed(record_id: str) -> int:
    """The noise seed of a demo record: CRC32 of its id."""
    return zlib.crc32(record_id.encode())


def write_csv(path: Path, f: np.ndarray, z: np.ndarray, dialect: str, header: str) -> None:
    """A CSV in one of two dialects: "zprime" (Z', Z'') or "biologic" (Re(Z), -Im(Z))."""
    lines = [f"# {SYNTHETIC_HEADER}", f"# {header}"]
    if dialect == "zprime":
        lines.append("Frequency (Hz),Z' (Ohm),Z'' (Ohm)")
        lines += [f"{a:.6e},{b:.6e},{c:.6e}" for a, b, c in zip(f, z.real, z.imag, strict=True)]
    else:
        lines.append("freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm")
        lines += [f"{a:.6e},{b:.6e},{-c:.6e}" for a, b, c in zip(f, z.real, z.imag, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_mpt(path: Path, f: np.ndarray, z: np.ndarray, header: str) -> None:
    """A BioLogic EC-Lab style text file (.mpt) with the usual impedance columns."""
    cols = [
        "freq/Hz",
        "Re(Z)/Ohm",
        "-Im(Z)/Ohm",
        "|Z|/Ohm",
        "Phase(Z)/deg",
        "time/s",
        "<Ewe>/V",
        "<I>/mA",
        "cycle number",
    ]
    head = [
        "EC-Lab ASCII FILE",
        "Nb header lines : {n}",
        "",
        "Potentio Electrochemical Impedance Spectroscopy",
        "",
        f"Comments : {SYNTHETIC_HEADER}",
        f"Comments : {header}",
        "fi                  7.000 MHz",
        "ff                  100.000 mHz",
        "Nd                  60",
        "Va                  10.0  mV",
        "",
        "\t".join(cols),
    ]
    head[1] = head[1].format(n=len(head))
    rows = []
    t = 0.0
    for fi, zi in zip(f, z, strict=True):
        t += 2.0 / fi + 0.5
        rows.append(
            "\t".join(
                [
                    f"{fi:.7E}",
                    f"{zi.real:.7E}",
                    f"{-zi.imag:.7E}",
                    f"{abs(zi):.7E}",
                    f"{np.degrees(np.angle(zi)):.7E}",
                    f"{t:.7E}",
                    "0.0000000E+000",
                    "0.0000000E+000",
                    "1.0000000E+000",
                ]
            )
        )
    path.write_text("\n".join(head + rows) + "\n", encoding="latin-1")


def _pellet(record_id, batch, temp_c, fmt) -> tuple[DemoSpectrum, np.ndarray]:
    excess, sinter, sb25, st25 = BATCHES[batch]
    rb25, rt25 = PELLET.cell_constant_per_cm / sb25, PELLET.cell_constant_per_cm / st25
    sgb25 = PELLET.cell_constant_per_cm / (rt25 - rb25)
    sb = arrhenius_sigma(sb25, EA_BULK_EV, temp_c)
    sgb = arrhenius_sigma(sgb25, EA_GB_EV, temp_c)
    st = 1 / (1 / sb + 1 / sgb)
    params, truth = pellet_parameters(sb, st)
    truth.update({"Ea_bulk_eV": EA_BULK_EV, "Ea_gb_eV": EA_GB_EV})
    what = (
        f"commercial LLTO pellet at {temp_c:g} C"
        if excess is None
        else f"LLTO pellet, {excess} % Li2CO3 excess, sintered {sinter} C, at {temp_c:g} C"
    )
    ext = ".csv" if fmt == "csv" else ".mpt"
    spec = DemoSpectrum(
        record_id,
        record_id + ext,
        batch,
        "pellet",
        temp_c,
        PELLET,
        PELLET_CIRCUIT,
        dict(zip(Circuit(PELLET_CIRCUIT).param_names, params, strict=True)),
        truth,
        what,
    )
    return spec, np.array(params)


def demo_spectra() -> list[DemoSpectrum]:
    """The demo spectra without writing files."""
    out = []
    for i, batch in enumerate(BATCHES, start=1):
        rid = f"EIS-{i:03d}"
        out.append(_pellet(rid, batch, 25.0, "csv" if i <= 4 else "mpt")[0])
    for rid, temp in SERIES.items():
        out.append(_pellet(rid, "B-003", temp, "mpt")[0])
    names = Circuit(ELECTRODE_CIRCUIT).param_names
    for rid, sample, rct, aw, state in (
        ("EIS-014", "E-003", 250.0, 40.0, "pristine"),
        ("EIS-015", "E-003", 100.0, 25.0, "after lithiation"),
    ):
        params = [3.0, rct, 2e-5, 0.85, aw]
        out.append(
            DemoSpectrum(
                rid,
                rid + ".csv",
                sample,
                "electrode",
                25.0,
                None,
                ELECTRODE_CIRCUIT,
                dict(zip(names, params, strict=True)),
                {"charge_transfer_R_ohm": rct, "R_electrolyte_ohm": 3.0},
                f"LLTO@CNT electrode in a Li half cell, {state}",
            )
        )
    return out


def write_demo_spectra(raw_dir: Path) -> list[DemoSpectrum]:
    """Write the 15 demo spectra into raw_dir (created if needed) and return their descriptions.

    Deterministic: the noise of each file is seeded by the CRC32 of its record id.
    """
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    f = demo_frequencies()
    specs = demo_spectra()
    for s in specs:
        z = synthetic_Z(s.circuit, list(s.parameters.values()), f, NOISE, record_seed(s.record_id))
        header = (
            f"record {s.record_id}, sample {s.sample_id}: {s.description}; circuit "
            f"{s.circuit}; noise {NOISE:.1%} of |Z|"
        )
        path = raw_dir / s.file_name
        if s.file_name.endswith(".mpt"):
            write_mpt(path, f, z, header)
        else:
            write_csv(path, f, z, "biologic" if s.kind == "electrode" else "zprime", header)
    return specs
