"""XRD: read powder diffraction scans, build reference patterns, fit and quantify phases.

Public API (import from the submodules; this package imports nothing heavy):
- `readers.read_scan(path) -> scan.Scan` for .xy/.xye/.csv/.txt/.dat, .xrdml, .ras, .brml, .raw
- `phases.default_phases()`, `phases.candidate_phases(["NAME=path.cif", ...], only)`
- `references.build_references(phases, out)` (pymatgen; run once, e.g. by a workflow rule)
- `refcache.resolve_references(phases, references_file_or_None) -> {name: PhaseRef}`
- `analysis.analyze_scan(scan, refs) -> XrdResult`, `analysis.analyze_file(path, phases,
  references)`; `XrdResult.to_dict()` is plain JSON (`result`), with a `verdict`
  (`verdict.make_verdict`: explained, or "no listed phase explains this scan" with the
  unexplained peaks and no weight fractions)
- `plot.plot_result(result, "fit.svg")`; the demo scans are `labledger.demo.xrd`
- CLI: `labledger.cli.xrd.app` (`labledger xrd analyze|references|demo`)

Per-scan work is small dense linear algebra on tall, thin matrices (3,500 x ~20), for which
OpenBLAS threads cost far more than they save (measured on a shared 2-core machine: a 3,500 x 14
SVD took 30 ms with 2 threads and 1.3 ms with one; a whole fit 3.2 s against 0.24 s). So unless
the user chose otherwise, BLAS runs single-threaded; this only takes effect when numpy is first
imported after this package.
"""

import os as _os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
