# Saved queries (workflow/queries/*.sql -> results/queries/<name>.csv) and the HTML report,
# rebuilt when the database changes (ingest.done) or a query file changes.


rule saved_queries:
    input:
        f"{RESULTS}/ingest.done",
        sorted(str(p) for p in Path("workflow/queries").glob("*.sql")),
    output:
        directory(f"{RESULTS}/queries"),
    log:
        f"{RESULTS}/logs/queries.log",
    shell:
        '"$LABLEDGER_PYTHON" -m labledger report queries --queries workflow/queries'
        " --out {output} > {log} 2>&1"


rule report:
    # index.html stands for the folder: Snakemake deletes declared outputs before a job,
    # and the folder keeps its plot cache between builds.
    input:
        f"{RESULTS}/ingest.done",
        f"{RESULTS}/queries",
        f"{RESULTS}/provenance/latest.json",
    output:
        f"{RESULTS}/report/index.html",
    log:
        f"{RESULTS}/logs/report.log",
    params:
        out=lambda w, output: str(Path(output[0]).parent),
    shell:
        '"$LABLEDGER_PYTHON" -m labledger report build --out {params.out} > {log} 2>&1'
