# The HTML report and the saved queries (workflow/queries/*.sql -> results/queries/<name>.csv),
# in one job: the report shows the queries' results, so they are run once for both. Rebuilt when
# the database changes (ingest.done), the provenance pages change, or a query file changes.


rule report:
    # index.html stands for the report folder: Snakemake deletes declared outputs before a
    # job, and the folder keeps its page manifest and plot cache between builds.
    input:
        f"{RESULTS}/ingest.done",
        f"{RESULTS}/provenance/latest.json",
        sorted(str(p) for p in Path("workflow/queries").glob("*.sql")),
    output:
        index=f"{RESULTS}/report/index.html",
        queries=directory(f"{RESULTS}/queries"),
    log:
        f"{RESULTS}/logs/report.log",
    params:
        out=lambda w, output: str(Path(output.index).parent),
    message:
        "HTML report and saved queries"
    shell:
        # the summary line (pages written, where to open the report) goes to the terminal too
        '"$LABLEDGER_PYTHON" -m labledger report build --out {params.out}'
        " --queries-out {output.queries} 2>&1 | tee {log}"
