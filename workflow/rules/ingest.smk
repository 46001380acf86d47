# Validation and the single database writer.


rule check:
    input:
        record_files(),
    output:
        touch(f"{RESULTS}/check.done"),
    log:
        f"{RESULTS}/logs/check.log",
    params:
        labledger=LABLEDGER,
    shell:
        "{params.labledger} check 2>&1 | tee {log}"


rule ingest:
    # The database is not a declared output (Snakemake deletes outputs before a job runs);
    # the stamp file stands for it.
    input:
        f"{RESULTS}/check.done",
        record_files(),
        expand(f"{RESULTS}/cells/{{id}}.json", id=sorted(CELLS)),
        expand(f"{RESULTS}/eis/{{id}}.json", id=sorted(EIS)),
        expand(f"{RESULTS}/xrd/{{id}}.json", id=sorted(XRD)),
    output:
        touch(f"{RESULTS}/ingest.done"),
    log:
        f"{RESULTS}/logs/ingest.log",
    params:
        labledger=LABLEDGER,
    shell:
        "{params.labledger} ingest 2>&1 | tee {log}"
