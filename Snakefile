# labledger workflow: records -> analyses -> ingest -> provenance, saved queries, HTML report.
# Thin by design: config validation, the rule files of workflow/rules/, and `rule all`.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "schema/config.schema.json")


include: "workflow/rules/common.smk"
include: "workflow/rules/references.smk"
include: "workflow/rules/analyses.smk"
include: "workflow/rules/shards.smk"
include: "workflow/rules/publish.smk"


rule all:
    input:
        f"{RESULTS}/ingest.done",
        f"{RESULTS}/provenance/latest.json",
        f"{RESULTS}/report/index.html",


onsuccess:
    # the last thing a run says: where its results are (Snakemake's log path follows)
    print(f"labledger: report {RESULTS}/report/index.html, database {DATABASE_SHOWN}")
