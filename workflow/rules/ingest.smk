# The single database writer. `labledger ingest` validates every record (schema, references,
# raw files) before it writes anything, so no separate check job re-reads the whole store;
# `labledger check` is for people, before they commit.


rule ingest:
    # The database is not a declared output (Snakemake deletes outputs before a job runs);
    # the stamp file stands for it.
    input:
        analysis_outputs(),
    output:
        touch(f"{RESULTS}/ingest.done"),
    log:
        f"{RESULTS}/logs/ingest.log",
    params:
        database=DATABASE,
    shell:
        '"$LABLEDGER_PYTHON" -m labledger ingest 2>&1 | tee {log}'
