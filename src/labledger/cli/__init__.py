"""The `labledger` command line. It parses options and formats results; the work is in the library.

Every error a user can cause is a LabledgerError: printed to stderr, exit status 1. The root app
and the order of the commands are in `app`; each command group has its own module here.
"""

from __future__ import annotations

import os

# Analyses work on tall, thin matrices where BLAS threads cost more than they save (an XRD fit
# took 3.2 s with two OpenBLAS threads and 0.24 s with one on a 2-core machine); this must be set
# before numpy is first imported. A user's own setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from labledger.cli.app import app, main, run  # noqa: E402

__all__ = ["app", "main", "run"]
