# Provenance of the runs each ingest produced: W3C PROV and an RO-Crate per export under
# provenance/runs/ingest-<ID>/, and the HTML pages of the records they touched. The cost grows
# with what changed; `labledger export-provenance --all --out DIR` exports the whole database.


rule provenance:
    # latest.json stands for the folder: Snakemake deletes declared outputs before a job, and
    # the folder keeps its exports, index and pages between runs.
    input:
        f"{RESULTS}/ingest.done",
    output:
        f"{RESULTS}/provenance/latest.json",
    message:
        "provenance export"
    log:
        f"{RESULTS}/logs/provenance.log",
    params:
        out=lambda w, output: str(Path(output[0]).parent),
    shell:
        '"$LABLEDGER_PYTHON" -m labledger export-provenance --out {params.out} > {log} 2>&1'
