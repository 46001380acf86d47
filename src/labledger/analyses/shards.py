"""Analyse one shard of a record kind in one process, reusing results that are still current.

For big record stores the workflow runs, per analysed kind, N shard jobs instead of one job per
record (config.yaml `workflow: {shards: N}`); a record belongs to shard `crc32(id) % N`
(`labledger.workflow_support.shard_of`). A shard job goes through its records in id order:

1. a record whose result file and plot are there and whose envelope names the same record and
   raw file sha256, analysis version and parameters (`cached_result`) is kept as it is;
2. any other record is analysed by the same code as `labledger analyze ID`, in this process;
3. a record whose analysis fails loses its old result and plot (as a failed per-record job
   does) and is named with its error in the log; the others go on.

The manifest, `<results_dir>/shards/<kind>/<N>/<i>.json`, lists every record of the shard with
what happened and the sha256 of its result. It is written only when no record failed, so a
shard with a failure fails its job, the ingest does not run, and the next `snakemake` tries it
again (its good records are cached by then).
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labledger.analyses import (
    analysis_for,
    cached_result,
    prepare,
    result_paths,
    run_prepared,
)
from labledger.atomic import write_text_atomic
from labledger.config import Config
from labledger.errors import LabledgerError, RecordsInvalid
from labledger.hashing import sha256_file
from labledger.workflow_support import analysable, shard_of

MANIFEST_FORMAT = "labledger-shard/1"


@dataclass
class ShardSummary:
    """What a shard job did: record ids per outcome, and the failures' messages."""

    kind: str
    shard: int
    shards: int
    cached: list[str] = field(default_factory=list)
    analysed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def describe(self) -> str:
        return (
            f"{self.kind} shard {self.shard}/{self.shards}: {len(self.analysed)} analysed, "
            f"{len(self.cached)} cached, {len(self.failed)} failed ({self.seconds:.2f} s)"
        )


def manifest_path(config: Config, kind: str, shard: int, shards: int) -> Path:
    """Where the workflow expects a shard's manifest."""
    return config.results_dir / "shards" / kind / str(shards) / f"{shard}.json"


def shard_records(config: Config, kind: str, shard: int, shards: int) -> dict[str, Path]:
    """Id -> record file of the records of `kind` with a raw file in this shard, by id."""
    folder = config.records_dir / analysis_for(kind).folder
    members = analysable(folder)
    return {rid: members[rid][0] for rid in sorted(members) if shard_of(rid, shards) == shard}


def analyze_shard(
    config: Config,
    kind: str,
    shard: int,
    shards: int,
    *,
    manifest: Path | None = None,
    rule: str = "cli",
    echo: Callable[[str], None] = print,
) -> ShardSummary:
    """Bring the results of one shard up to date (see the module docstring); returns what was
    done. Raises LabledgerError naming the failed records when any failed."""
    if shards < 1 or not 0 <= shard < shards:
        raise LabledgerError(f"shard {shard} of {shards}: need 0 <= shard < shards")
    manifest = manifest or manifest_path(config, kind, shard, shards)
    manifest.unlink(missing_ok=True)  # no manifest unless this run succeeds
    summary = ShardSummary(kind, shard, shards)
    entries: dict[str, dict[str, Any]] = {}
    start = time.perf_counter()
    for rid, path in shard_records(config, kind, shard, shards).items():
        t0 = time.perf_counter()
        try:
            job = prepare(config, rid, path=path)
            if cached_result(config, job):
                summary.cached.append(rid)
                status = "cached"
            else:
                run_prepared(config, job, rule)
                summary.analysed.append(rid)
                status = "analysed"
        except (LabledgerError, RecordsInvalid) as err:
            _failed(config, kind, rid, str(err), summary, echo)
            continue
        except Exception:  # a bug or an unforeseen input: keep going, name it, fail the job
            _failed(config, kind, rid, traceback.format_exc().rstrip(), summary, echo)
            continue
        entries[rid] = {"status": status, "result_sha256": sha256_file(job.out)}
        echo(f"{rid}: {status} ({time.perf_counter() - t0:.3f} s)")
    summary.seconds = time.perf_counter() - start
    echo(summary.describe())
    if summary.failed:
        names = ", ".join(sorted(summary.failed))
        raise LabledgerError(
            f"{summary.describe()}: the analysis of {names} failed (messages above); "
            "fix the record(s) or raw file(s) and run again"
        )
    body = {
        "format": MANIFEST_FORMAT,
        "kind": kind,
        "shard": shard,
        "shards": shards,
        "analysed": len(summary.analysed),
        "cached": len(summary.cached),
        "records": entries,
    }
    write_text_atomic(manifest, json.dumps(body, indent=1, sort_keys=True) + "\n")
    return summary


def _failed(
    config: Config,
    kind: str,
    rid: str,
    message: str,
    summary: ShardSummary,
    echo: Callable[[str], None],
) -> None:
    """Record a failure; remove the record's old result, as Snakemake removes the outputs of a
    per-record job before it runs, so no result of other inputs is ingested as this one."""
    for path in result_paths(config, kind, rid):
        path.unlink(missing_ok=True)
    summary.failed[rid] = message
    echo(f"{rid}: FAILED: {message}")
