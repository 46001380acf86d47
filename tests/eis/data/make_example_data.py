"""Rebuild exampleData.csv of the `impedance` package (impedance.py, MIT licence).

The file data/exampleData.csv of github.com/ECSHackWeek/impedance.py is a headerless CSV of
frequency (Hz), Z' (ohm), Z'' (ohm). Its exact values ship inside the installed package as the
arrays `frequencies` and `Z_correct` of impedance/tests/test_preprocessing.py, whose test_readFile
asserts that reading data/exampleData.csv gives exactly these arrays. This script writes them back
out with full float precision (repr), one row per frequency in the same order.

Run: .venv/bin/python tests/eis/data/make_example_data.py
"""

from pathlib import Path

from impedance.tests.test_preprocessing import Z_correct, frequencies


def main() -> None:
    out = Path(__file__).with_name("exampleData.csv")
    rows = [
        f"{f!r},{z.real!r},{z.imag!r}"
        for f, z in zip(frequencies.tolist(), Z_correct.tolist(), strict=True)
    ]
    out.write_text("\n".join(rows) + "\n")
    print(f"wrote {out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
