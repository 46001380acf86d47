"""Which raw files each kind of measurement comes in: suffixes and the first bytes that give a
format away, one module per kind (`xrd`, `eis`, `cycling`).

The readers (`labledger.xrd.readers`, ...) and `labledger check` (`labledger.records.raw_format`)
both ask these tables, so the check and the readers always agree. Standard library only: the
check looks at every raw file without importing numpy.
"""
