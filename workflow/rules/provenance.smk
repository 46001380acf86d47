# Provenance of every current result: W3C PROV, an RO-Crate and one HTML page per record.


rule provenance:
    input:
        f"{RESULTS}/ingest.done",
    output:
        directory(f"{RESULTS}/provenance"),
    log:
        f"{RESULTS}/logs/provenance.log",
    params:
        labledger=LABLEDGER,
    shell:
        "{params.labledger} export-provenance --out {output} > {log} 2>&1"
