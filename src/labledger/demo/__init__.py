"""The demo record set: synthetic records modelled on the reference study.

Lin et al., "A 3D mixed ion-electron conducting framework for dendrite-free lithium metal
anodes", Nanoscale 2025, 17, 1282 (doi 10.1039/d4nr04455j). Every record is labelled
`synthetic: true`; regenerate with `python -m labledger.demo records/`.

The generators of the raw files are here too, above the science packages whose models they use:
`xrd` (scans), `eis` (spectra), `cycling` (cycler files) and `cycling_synthetic` (point tables
and the tester dialects, also used by the tests); `records` writes the records that name them.
"""
