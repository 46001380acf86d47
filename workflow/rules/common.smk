# Shared settings of the rules: folders, the labledger command, record discovery by path.
import sys
from pathlib import Path

import labledger.analysis_versions as VERSIONS
from labledger.records.paths import discover
from labledger.workflow_support import analysable, top_level_value
from labledger.xrd.phases import default_phases

RECORDS = config.get("records_dir", "records")
RESULTS = config.get("results_dir", "results")
# The config file this run uses, handed to every labledger command so both read the same one.
CONFIGFILE = (workflow.overwrite_configfiles or workflow.configfiles or ["config.yaml"])[-1]
LABLEDGER = f"{sys.executable} -m labledger --config {CONFIGFILE}"

# Records with a raw file, per analysed kind: id -> (record file, raw file).
CELLS = analysable(Path(RECORDS) / "cells")
EIS = analysable(Path(RECORDS) / "eis")
XRD = analysable(Path(RECORDS) / "xrd")
# Candidate phases name -> CIF: shipped ones plus config.yaml's (paths relative to the workdir).
XRD_PHASES = {
    **{name: str(path) for name, path in default_phases().items()},
    **config.get("xrd", {}).get("phases", {}),
}


def record_files():
    """Every record file, discovered by path (never parsed while building the DAG). Raw files
    are inputs of their analysis jobs, whose results are inputs of the ingest."""
    return [str(p) for p in discover(Path(RECORDS))]


def eis_circuit(wildcards):
    """The circuit this record's fit uses: its own, or the config default (a rule parameter,
    so changing the default reruns exactly the spectra that use it)."""
    own = top_level_value(EIS[wildcards.id][0], "circuit")
    return own or config.get("eis", {}).get("default_circuit", "p(R1,CPE1)-p(R2,CPE2)-CPE3")
