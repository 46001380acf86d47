"""Impedance spectroscopy: readers, circuit fitting, conductivity, Arrhenius, demo data.

Entry points: `read_spectrum(path)`, `analyze_spectrum(spectrum, geometry, circuit)`,
`fit_circuit(f, Z, circuit)`, `lin_kk(f, Z)`, `arrhenius(temperatures_C, sigmas_S_cm)`,
`nyquist_plot(result, path)` (in `labledger.eis.plot`), `write_demo_spectra(raw_dir)` (in
`labledger.demo.eis`). The CLI is `labledger.cli.eis.app`.
"""

from labledger.lazy import lazy_attributes

# Imported on first use (PEP 562), so that `labledger --help` and the CLIs of other analyses do
# not pay for numpy, scipy and pandas.
_WHERE = {
    "Arc": "labledger.eis.analysis",
    "ArrheniusResult": "labledger.eis.arrhenius",
    "Circuit": "labledger.eis.circuit",
    "CircuitFit": "labledger.eis.fit",
    "CircuitSyntaxError": "labledger.eis.circuit",
    "EISResult": "labledger.eis.analysis",
    "Geometry": "labledger.eis.analysis",
    "LinKKResult": "labledger.eis.linkk",
    "PELLET_CIRCUIT": "labledger.eis.circuit",
    "Spectrum": "labledger.eis.spectrum",
    "analyze_spectrum": "labledger.eis.analysis",
    "arrhenius": "labledger.eis.arrhenius",
    "arrhenius_of_results": "labledger.eis.arrhenius",
    "fit_circuit": "labledger.eis.fit",
    "lin_kk": "labledger.eis.linkk",
    "read_spectrum": "labledger.eis.readers",
}

__all__ = [
    "PELLET_CIRCUIT",
    "Arc",
    "ArrheniusResult",
    "Circuit",
    "CircuitFit",
    "CircuitSyntaxError",
    "EISResult",
    "Geometry",
    "LinKKResult",
    "Spectrum",
    "analyze_spectrum",
    "arrhenius",
    "arrhenius_of_results",
    "fit_circuit",
    "lin_kk",
    "read_spectrum",
]


__getattr__ = lazy_attributes(__name__, _WHERE)
