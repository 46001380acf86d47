"""Demo records: LLTO batches with 0-20 % Li2CO3 excess, electrodes, scans, spectra, cells.

The parameters are plausible for the reference study's materials, not copied from its
experimental section; all records say `synthetic: true`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from labledger.records.kinds import KINDS

# Molar masses in g/mol from IUPAC 2021 standard atomic weights (Li 6.94, C 12.011, O 15.999,
# La 138.905, Ti 47.867).
M_LI2CO3 = 2 * 6.94 + 12.011 + 3 * 15.999
M_LA2O3 = 2 * 138.905 + 3 * 15.999
M_TIO2 = 47.867 + 2 * 15.999
#: Demo batch size: 0.1 mol of Li0.5La0.5TiO3.
BATCH_MOL = 0.1

OPERATORS = ("A. Chen", "R. Patel")
START = dt.date(2025, 1, 6)

#: (id, Li2CO3 excess %, sintering temperature C); B-008 is a bought powder.
BATCHES = [
    ("B-001", 0, 1150),
    ("B-002", 5, 1150),
    ("B-003", 10, 1150),
    ("B-004", 15, 1150),
    ("B-005", 20, 1150),
    ("B-006", 10, 1250),
    ("B-007", 20, 1250),
]
COMMERCIAL_BATCH = "B-008"

#: (id, material, batch, CNT wt %)
ELECTRODES = [
    ("E-001", "LLTO", "B-003", 0),
    ("E-002", "LLTO@CNT", "B-003", 10),
    ("E-003", "LLTO@CNT", "B-003", 20),
    ("E-004", "LLTO@CNT", "B-003", 30),
    ("E-005", "CNT", None, 100),
]

#: Cells of the study: (id, type, electrode or None, substrate, mA/cm2, mAh/cm2, extra)
HALF = "half"
ETHER = "1 M LiTFSI in DOL/DME (1:1 v/v) + 2 wt% LiNO3"
CARBONATE = "1 M LiPF6 in EC/DEC (1:1 v/v) + 10 vol% FEC"
CELLS: list[tuple[str, str, str | None, str | None, float | None, float | None, dict]] = [
    ("C-001", HALF, None, "Cu foil", 1, 1, {}),
    ("C-002", HALF, "E-005", None, 1, 1, {}),
    ("C-003", HALF, "E-001", None, 1, 1, {}),
    ("C-004", HALF, "E-003", None, 1, 1, {}),
    ("C-005", HALF, "E-003", None, 1, 4, {}),
    ("C-006", HALF, "E-003", None, 2, 2, {}),
    ("C-007", HALF, None, "Cu foil", 2, 2, {}),
    ("C-008", HALF, "E-003", None, 4, 4, {}),
    ("C-009", "full", "E-003", None, None, None, {"np_ratio": 4}),
    ("C-010", "full", None, "Cu foil", None, None, {"np_ratio": 4}),
    ("C-011", "full", "E-003", None, None, None, {"np_ratio": 2}),
    ("C-012", "anode-free", "E-003", None, None, None, {}),
    ("C-013", HALF, "E-002", None, 1, 1, {}),
    ("C-014", HALF, "E-004", None, 1, 1, {}),
]

#: Pellet spectra at 25 C (one per batch) and a temperature series of B-003.
EIS_PELLETS = [(f"EIS-{i:03d}", f"B-{i:03d}", 25.0) for i in range(1, 9)] + [
    ("EIS-009", "B-003", -20.0),
    ("EIS-010", "B-003", 0.0),
    ("EIS-011", "B-003", 50.0),
    ("EIS-012", "B-003", 75.0),
    ("EIS-013", "B-003", 100.0),
]
EIS_ELECTRODES = [("EIS-014", "E-003", "pristine"), ("EIS-015", "E-003", "after lithiation")]


def _day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def _precursors(excess_pct: float) -> list[dict[str, Any]]:
    return [
        {
            "compound": "Li2CO3",
            "mass_g": round(0.25 * BATCH_MOL * M_LI2CO3 * (1 + excess_pct / 100), 4),
            "purity_pct": 99.0,
        },
        {"compound": "La2O3", "mass_g": round(0.25 * BATCH_MOL * M_LA2O3, 4), "purity_pct": 99.9},
        {"compound": "TiO2", "mass_g": round(BATCH_MOL * M_TIO2, 4), "purity_pct": 99.8},
    ]


def batches() -> list[dict[str, Any]]:
    out = []
    for i, (rid, excess, sinter_c) in enumerate(BATCHES):
        out.append(
            {
                "id": rid,
                "kind": "batch",
                "date": _day(7 * i),
                "operator": OPERATORS[i % 2],
                "synthetic": True,
                "target_formula": "Li0.5La0.5TiO3",
                "li2co3_excess_pct": excess,
                "precursors": _precursors(excess),
                "steps": [
                    {
                        "type": "ball_mill",
                        "speed_rpm": 300,
                        "duration_h": 12,
                        "media": "ZrO2",
                        "ball_to_powder_ratio": 10,
                        "solvent": "ethanol",
                    },
                    {
                        "type": "calcine",
                        "temperature_C": 800,
                        "dwell_h": 4,
                        "ramp_C_per_min": 5,
                        "atmosphere": "air",
                    },
                    {
                        "type": "ball_mill",
                        "speed_rpm": 300,
                        "duration_h": 6,
                        "media": "ZrO2",
                        "ball_to_powder_ratio": 10,
                        "solvent": "ethanol",
                    },
                    {
                        "type": "sinter",
                        "temperature_C": sinter_c,
                        "dwell_h": 6,
                        "ramp_C_per_min": 5,
                        "atmosphere": "air",
                        "form": "pellet",
                    },
                ],
                "notes": f"Li2CO3 excess {excess} % to offset Li loss on sintering.",
            }
        )
    out.append(
        {
            "id": COMMERCIAL_BATCH,
            "kind": "batch",
            "date": _day(2),
            "operator": OPERATORS[0],
            "synthetic": True,
            "target_formula": "Li0.33La0.56TiO3",
            "commercial": {
                "supplier": "Example Ceramics (demo)",
                "product": "LLTO powder",
                "lot": "L-2024-117",
            },
            "notes": "Commercial reference powder, pressed and sintered like the lab's pellets.",
        }
    )
    return out


def electrodes() -> list[dict[str, Any]]:
    out = []
    for i, (rid, material, batch, cnt) in enumerate(ELECTRODES):
        rec: dict[str, Any] = {
            "id": rid,
            "kind": "electrode",
            "date": _day(60 + i),
            "operator": OPERATORS[1],
            "synthetic": True,
        }
        if batch:
            rec["batch"] = batch
        rec.update(
            {
                "material": material,
                "cnt_wt_pct": cnt if material != "CNT" else 70,
                "pmma_wt_pct": 20,
                "pmma_diameter_um": 8,
                "pmma_removal_C": 400,
                "pmma_removal_h": 2,
                "binder": "PVDF",
                "binder_wt_pct": 10,
                "solvent": "NMP",
                "substrate": "Cu foil",
                "casting": "doctor blade",
                "mass_loading_mg_cm2": 1.5,
                "thickness_um": 40,
                "porosity_pct": 46,
                "porosity_method": "absorption",
            }
        )
        out.append(rec)
    return out


def xrd_scans(raw: RawFiles | None = None) -> list[dict[str, Any]]:
    ids = [b[0] for b in BATCHES] + [COMMERCIAL_BATCH]
    out = [
        {
            "id": f"XRD-{i:03d}",
            "kind": "xrd",
            "date": _day(7 * (i - 1) + 3),
            "operator": OPERATORS[0],
            "synthetic": True,
            "sample": batch,
            "instrument": "Bruker D8 Advance",
            "radiation": "Cu Ka",
            "two_theta_start_deg": 10,
            "two_theta_end_deg": 80,
            "step_deg": 0.02,
            "time_per_step_s": 0.5,
        }
        for i, batch in enumerate(ids, start=1)
    ]
    for rec in out:
        rec.update((raw or {}).get(str(rec["id"]), {}))
    return out


def spectra(raw: RawFiles | None = None) -> list[dict[str, Any]]:
    out = []
    for rid, batch, temp in EIS_PELLETS:
        out.append(
            {
                "id": rid,
                "kind": "eis",
                "date": _day(40 + int(rid[-3:])),
                "operator": OPERATORS[1],
                "synthetic": True,
                "sample": batch,
                "temperature_C": temp,
                "thickness_mm": 1.0,
                "diameter_mm": 10.0,
                "relative_density_pct": 92,
                "electrodes": "sputtered Au",
                "instrument": "Novocontrol Alpha-A",
                "amplitude_mV": 10,
            }
        )
    for rid, electrode, condition in EIS_ELECTRODES:
        out.append(
            {
                "id": rid,
                "kind": "eis",
                "date": _day(90 + int(rid[-3:])),
                "operator": OPERATORS[0],
                "synthetic": True,
                "sample": electrode,
                "temperature_C": 25.0,
                "area_cm2": 1.13,
                "condition": condition,
                "instrument": "BioLogic VMP3",
                "amplitude_mV": 10,
            }
        )
    for rec in out:
        rec.update((raw or {}).get(str(rec["id"]), {}))
    return out


#: Cycler named in the records, by the dialect of the demo file.
CYCLERS = {
    "generic-csv": "LAND CT2001A (CSV export)",
    "chinese-header-csv": "Neware CT-4008 (CSV export, Chinese headers)",
    "arbin-csv": "Arbin BT2000",
    "land-xlsx": "LAND CT2001A",
}

#: Fields the raw-data generators add to demo records (raw_file, instrument, circuit), by id.
RawFiles = dict[str, dict[str, Any]]


def cells(raw: RawFiles | None = None) -> list[dict[str, Any]]:
    out = []
    for i, (rid, ctype, electrode, substrate, j, q, extra) in enumerate(CELLS):
        rec: dict[str, Any] = {
            "id": rid,
            "kind": "cell",
            "date": _day(70 + 2 * i),
            "operator": OPERATORS[i % 2],
            "synthetic": True,
            "cell_type": ctype,
        }
        if electrode:
            rec["working_electrode"] = electrode
        else:
            rec["substrate"] = substrate
        if ctype == HALF:
            rec["counter_electrode"] = "Li foil"
            protocol: dict[str, Any] = {
                "current_density_mA_cm2": j,
                "areal_capacity_mAh_cm2": q,
                "strip_cutoff_V": 1.0,
                "precycle": {"voltage_min_V": 0.0, "voltage_max_V": 2.5, "cycles": 1},
            }
        else:
            rec["counter_electrode"] = "NCM622"
            rec["cathode"] = {
                "material": "NCM622",
                "loading_mg_cm2": 11.0,
                "areal_capacity_mAh_cm2": 2.0,
            }
            protocol = {
                "voltage_min_V": 3.0,
                "voltage_max_V": 4.3,
                "charge_C_rate": 0.2,
                "discharge_C_rate": 0.5,
                **extra,
            }
        rec.update(
            {
                # Ether electrolyte for Li plating; a carbonate one for 4.3 V NCM622 full cells.
                "electrolyte": ETHER if ctype == HALF else CARBONATE,
                "electrolyte_volume_uL": 60,
                "separator": "Celgard 2400",
                "cell_format": "CR2032",
                "area_cm2": 1.13,
                "protocol": protocol,
                "cycler": "LAND CT2001A",
            }
        )
        rec.update((raw or {}).get(rid, {}))
        out.append(rec)
    return out


def demo_records(raw: RawFiles | None = None) -> list[dict[str, Any]]:
    """Every demo record as plain data, in a stable order; `raw` names their raw files."""
    return batches() + electrodes() + xrd_scans(raw) + spectra(raw) + cells(raw)


HEADER = (
    "# yaml-language-server: $schema=../../schema/{kind}.schema.json\n"
    "# SYNTHETIC demo record modelled on Lin et al., Nanoscale 2025, 17, 1282.\n"
    "# Generated by `python -m labledger.demo`; edit freely, it is your data now.\n"
)


def render(record: dict[str, Any]) -> str:
    """A record as YAML text with the schema line and the synthetic label."""
    body = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(kind=record["kind"]) + body


def write_demo_raw(records_dir: Path) -> RawFiles:
    """Write the synthetic raw instrument files under `records_dir/raw/`; name them by record."""
    from labledger.demo.cycling import write_demo_cycling
    from labledger.demo.eis import write_demo_spectra
    from labledger.demo.xrd import write_demo_scans

    raw: RawFiles = {}
    for cell in write_demo_cycling(records_dir / "raw" / "cells"):
        raw[cell.record_id] = {
            "cycler": CYCLERS[cell.dialect],
            "raw_file": f"../raw/cells/{cell.file_name}",
        }
    for spectrum in write_demo_spectra(records_dir / "raw" / "eis"):
        fields: dict[str, Any] = {"raw_file": f"../raw/eis/{spectrum.file_name}"}
        if spectrum.kind == "electrode":
            fields["circuit"] = spectrum.circuit
        raw[spectrum.record_id] = fields
    for scan in write_demo_scans(records_dir / "raw" / "xrd"):
        raw[scan.record_id] = {"raw_file": f"../raw/xrd/{scan.file_name}"}
    return raw


def write_demo_records(records_dir: Path, raw: RawFiles | None = None) -> list[Path]:
    """Write the demo records under `records_dir` (one folder per kind)."""
    written = []
    for record in demo_records(raw):
        folder = records_dir / KINDS[record["kind"]].kind_folder
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{record['id']}.yaml"
        path.write_text(render(record), encoding="utf-8")
        written.append(path)
    return written
