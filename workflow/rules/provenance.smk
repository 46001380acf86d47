# Provenance of every current result: W3C PROV, an RO-Crate and one HTML page per record.


rule provenance:
    # prov.json stands for the folder: Snakemake deletes declared outputs before a job, and the
    # folder keeps its pages between exports (only changed ones are rendered again).
    input:
        f"{RESULTS}/ingest.done",
    output:
        f"{RESULTS}/provenance/prov.json",
    log:
        f"{RESULTS}/logs/provenance.log",
    params:
        labledger=LABLEDGER,
        out=lambda w, output: str(Path(output[0]).parent),
    shell:
        "{params.labledger} export-provenance --out {params.out} > {log} 2>&1"
