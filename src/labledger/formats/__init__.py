"""Which raw files each kind of measurement comes in: suffixes and the first bytes that give a
format away, one module per kind (`xrd`, `eis`, `cycling`; `signatures` what they share).

The readers (`labledger.xrd.readers`, ...) and `labledger check` (each record model's
`raw_head_problem`, which answers with its module's `head_problem`) both ask these tables, so
the check and the readers always agree. Standard library only: the check looks at every raw
file without importing numpy.
"""
