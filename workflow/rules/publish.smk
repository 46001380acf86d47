# After the analyses, one job: the ingest (the single database writer), the provenance export of
# the new runs, the HTML report and the saved queries (workflow/queries/*.sql ->
# results/queries/<name>.csv), in one process (`labledger publish`): three chained jobs would
# each start Python and open the database, with Snakemake's pause between them.
# `labledger ingest` validates every record (schema, references, raw files) before it writes
# anything, so no separate check job re-reads the whole store; `labledger check` is for people,
# before they commit. The provenance export and the report redo only what the ingest changed.


rule publish:
    # The database, the provenance folder and the report folder are not declared outputs
    # (Snakemake deletes outputs before a job runs, and the folders keep their indexes, pages
    # and plot cache between runs): ingest.done, latest.json and index.html stand for them.
    input:
        analysis_outputs(),
        sorted(str(p) for p in Path("workflow/queries").glob("*.sql")),
    output:
        ingest=touch(f"{RESULTS}/ingest.done"),
        provenance=f"{RESULTS}/provenance/latest.json",
        index=f"{RESULTS}/report/index.html",
        queries=directory(f"{RESULTS}/queries"),
    log:
        f"{RESULTS}/logs/publish.log",
    params:
        # pointing the workflow at another database reruns the ingest and everything after it
        database=DATABASE,
        provenance=lambda w, output: str(Path(output.provenance).parent),
        report=lambda w, output: str(Path(output.index).parent),
    message:
        "ingest, provenance export, HTML report and saved queries"
    shell:
        # the summary lines (what changed, where to open the report) go to the terminal too
        '"$LABLEDGER_PYTHON" -m labledger publish'
        " --provenance-out {params.provenance} --report-out {params.report}"
        " --queries-out {output.queries} 2>&1 | tee {log}"
