"""Per-scan analysis must not import pymatgen or xrayutilities (they cost seconds), nor scipy
(scipy.optimize alone costs ~0.3 s of start-up)."""

from __future__ import annotations

import subprocess
import sys


def test_per_scan_modules_stay_light():
    code = (
        "import sys\n"
        "import labledger.xrd.fit, labledger.xrd.analysis, labledger.xrd.readers\n"
        "import labledger.xrd.refdata, labledger.cli.xrd, labledger.xrd.writers\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('pymatgen', 'xrayutilities', 'matplotlib', 'scipy')]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_package_version_is_read_on_first_use_only():
    """`import labledger` leaves importlib.metadata (~40 ms) to whoever asks for the version."""
    code = (
        "import sys, labledger\n"
        "print('importlib.metadata' in sys.modules)\n"
        "print(labledger.__version__ != '')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
