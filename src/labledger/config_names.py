"""The names config.yaml's readers share, importing nothing: the environment variables the
workflow and its jobs pass settings in, and the default EIS circuit. The Snakefile reads them on
every invocation (`labledger.config` holds the settings' models, which import pydantic)."""

DATABASE_URL_ENV = "LABLEDGER_DATABASE_URL"
#: The workflow's effective settings as JSON (config.yaml with Snakemake's `--config` overrides
#: applied), which its jobs use instead of the file's own, so that a job computes with exactly
#: the settings that Snakemake compared to decide what to rerun. Paths stay relative to the
#: config file's folder.
CONFIG_VALUES_ENV = "LABLEDGER_CONFIG_VALUES"
CONFIG_ENV = "LABLEDGER_CONFIG"
DEFAULT_CONFIG_NAME = "config.yaml"

#: Default circuit for pellets between blocking electrodes: bulk arc, grain-boundary arc and the
#: electrode spike, in the `impedance` package's syntax.
PELLET_CIRCUIT = "p(R1,CPE1)-p(R2,CPE2)-CPE3"
