"""A faster stand-in for one quadratic check in Snakemake, applied by the Snakefile.

Before a job runs, Snakemake asks, for every input file of the job, whether it is the pipe or
service output of a job it depends on (`Job.is_pipe_or_service_input`), and answers each time by
walking all of those jobs. The ingest job of a store of 10,000 records has some 20,000 inputs
from 10,000 jobs: 200 million set lookups, most of the time a one-record change takes with one
job per record. `faster_pipe_input_check()` puts in its place the same answer from one pass over
the job's dependencies, kept for the job whose inputs are being checked.

The stand-in is installed only over the function it was written against (its bytecode is
compared): another Snakemake version keeps its own check, slower but right.
"""

from __future__ import annotations

import hashlib
from typing import Any

#: sha256 of the bytecode of `snakemake.jobs.Job.is_pipe_or_service_input` this replaces
#: (Snakemake 9.27.1 on Python 3.11; bytecode differs between Python versions too).
REPLACED_CODE_SHA256 = "30587736821d6dddf40d03a12bb87c6a1f4390338101e59534c6b3cf94c6660c"
#: Jobs with fewer dependencies keep Snakemake's own check (it is quick for them).
MIN_DEPENDENCIES = 64


def code_sha256(function: Any) -> str:
    """sha256 of a function's bytecode and constants: what identifies the version replaced."""
    code = function.__code__
    return hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest()


def faster_pipe_input_check() -> bool:
    """Install the stand-in when Snakemake's check is the one it was written for; returns
    whether it was installed."""
    from snakemake.jobs import Job

    original = Job.is_pipe_or_service_input
    if getattr(original, "_labledger_stand_in", False):
        return True
    if code_sha256(original) != REPLACED_CODE_SHA256:
        return False
    # one entry, replaced whole (a tuple: a job prepared in another thread never reads a
    # half-written one): the job whose inputs are being checked, its dependencies (the dict
    # and its size, to notice a change), and its inputs that are a dependency's pipe or
    # service output
    last: list[tuple[Any, Any, int, frozenset[Any]] | None] = [None]

    def is_pipe_or_service_input(self: Any, path: Any) -> bool:
        deps = self.dag.dependencies[self]
        if len(deps) < MIN_DEPENDENCIES:
            return bool(original(self, path))
        entry = last[0]
        if entry is None or entry[0] is not self or entry[1] is not deps or entry[2] != len(deps):
            first: dict[Any, Any] = {}
            for dep, files in deps.items():  # the first job holding a file decides, as before
                for f in files:
                    first.setdefault(f, dep)
            pipes = frozenset(f for f, dep in first.items() if f in dep.pipe_or_service_output)
            entry = (self, deps, len(deps), pipes)
            last[0] = entry
        return path in entry[3]

    is_pipe_or_service_input._labledger_stand_in = True  # type: ignore[attr-defined]
    is_pipe_or_service_input._labledger_original = original  # type: ignore[attr-defined]
    Job.is_pipe_or_service_input = is_pipe_or_service_input
    return True
