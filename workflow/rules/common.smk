# Shared settings of the rules: folders, how jobs run labledger, record discovery by path.
import json
import os
import sys
from pathlib import Path

import labledger.analysis_versions as VERSIONS
from labledger.config_names import CONFIG_VALUES_ENV
from labledger.gitinfo import GIT_STATE_ENV, git_state_env
from labledger.records.paths import discover
from labledger.snakemake_speedups import faster_pipe_input_check
from labledger.db.target import database_identity, shown_database
from labledger.kinds import analysed_kinds
from labledger.workflow_support import analysable, shard_members
from labledger.xrd.phases import default_phases

# Snakemake checks each input of a job against every job it depends on: quadratic for the
# ingest of a big store (src/labledger/snakemake_speedups.py).
faster_pipe_input_check()

RECORDS = config.get("records_dir", "records")
RESULTS = config.get("results_dir", "results")
# The config file this run uses, handed to every labledger command so both read the same one.
CONFIGFILE = (workflow.overwrite_configfiles or workflow.configfiles or ["config.yaml"])[-1]
# Jobs run `"$LABLEDGER_PYTHON" -m labledger` (the labledger installed beside Snakemake) with
# $LABLEDGER_CONFIG, both from the environment rather than `params` or the shell text: those are
# rerun triggers, and which interpreter runs Snakemake (`snakemake` or `python -m snakemake`, a
# re-created virtual environment) or how the config file is spelled must not rerun anything.
# Each Snakemake process (also one a cluster job starts) sets them again here.
os.environ.update(LABLEDGER_PYTHON=sys.executable, LABLEDGER_CONFIG=str(CONFIGFILE))
# ... and the effective settings (config.yaml plus `--config` overrides), which the jobs use: a
# setting changed with --config reruns the jobs whose params hold it, and they compute with it.
os.environ[CONFIG_VALUES_ENV] = json.dumps(config, sort_keys=True, default=str)


onstart:
    # git's view of the project (commit, uncommitted changes), asked once per run that has
    # jobs: every analysis records it, and records do not change while the workflow runs
    os.environ[GIT_STATE_ENV] = git_state_env(Path.cwd())


# The database the ingest writes, as a digest (never the URL: it may hold a password). A
# parameter of the ingest, so pointing the workflow at another database (config.yaml's
# database_url or $LABLEDGER_DATABASE_URL) runs the ingest and everything after it there.
DATABASE = database_identity(config.get("database_url"), RESULTS)
DATABASE_SHOWN = shown_database(config.get("database_url"), RESULTS)

def logged(command):
    """`command` (which writes its log) followed by: when it fails, show the last lines of the
    log (labledger's message, naming the record and the file) in the terminal, not only in
    results/logs/."""
    return "".join((command, " || {{ tail -n 5 {log} >&2; exit 1; }}"))

# The analysed kinds (src/labledger/kinds/), and per kind the records with a raw file:
# id -> (record file, raw file).
KINDS = analysed_kinds()
ANALYSED = {k.name: analysable(Path(RECORDS) / k.folder) for k in KINDS.values()}
# workflow.shards: 0 runs one job per record; N > 0 runs N jobs per kind (shards.smk).
SHARDS = config.get("workflow", {}).get("shards", 0)
SHARD_IDS = {kind: shard_members(ids, SHARDS) for kind, ids in ANALYSED.items()} if SHARDS else {}
# Candidate phases name -> CIF: shipped ones plus config.yaml's (paths relative to the workdir).
XRD_PHASES = {
    **{name: str(path) for name, path in default_phases().items()},
    **config.get("xrd", {}).get("phases", {}),
}


def record_files():
    """Every record file, discovered by path (never parsed while building the DAG). Raw files
    are inputs of their analysis jobs, whose results are inputs of the ingest."""
    return [str(p) for p in discover(Path(RECORDS))]


def analysis_outputs():
    """What the ingest waits for: every record file and result file (one job per record), or,
    with shards, the shard manifests and the record files no shard covers (batches,
    electrodes, records whose raw file is pending)."""
    if not SHARDS:
        return record_files() + [
            f"{RESULTS}/{KINDS[kind].folder}/{rid}.json"
            for kind, ids in ANALYSED.items()
            for rid in sorted(ids)
        ]
    in_shards = {str(rec) for ids in ANALYSED.values() for rec, _raw in ids.values()}
    return [p for p in record_files() if p not in in_shards] + [
        f"{RESULTS}/shards/{kind}/{SHARDS}/{i}.json" for kind in ANALYSED for i in range(SHARDS)
    ]


def shard_inputs(wildcards):
    """Record and raw file of each record of the shard, plus the kind's further inputs (the
    XRD reference patterns)."""
    ids = ANALYSED[wildcards.kind]
    files = [str(f) for rid in SHARD_IDS[wildcards.kind][int(wildcards.shard)] for f in ids[rid]]
    return files + [f"{RESULTS}/{path}" for path in KINDS[wildcards.kind].extra_inputs]


def shard_settings(wildcards):
    """The analysis version and the config.yaml settings the kind's analysis reads (params:
    a change reruns the kind's shards, whose cache checks then rerun the records it affects)."""
    kind = KINDS[wildcards.kind]
    return repr([kind.version, kind.kind_settings(config)])
