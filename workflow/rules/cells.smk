# One job per cell record with a raw cycling file: CE, nucleation, retention, cycle life.


rule cell_analysis:
    input:
        record=lambda w: CELLS[w.id][0],
        raw=lambda w: CELLS[w.id][1],
    output:
        json=f"{RESULTS}/cells/{{id}}.json",
        svg=report(
            f"{RESULTS}/cells/{{id}}.svg",
            caption="../report/cell.rst",
            category="Cells",
            labels={"cell": "{id}"},
        ),
    message:
        "cycling analysis of {wildcards.id}"
    log:
        f"{RESULTS}/logs/cells/{{id}}.log",
    params:
        # analysis code version: a new version reruns every cell (Snakemake's params trigger)
        version=VERSIONS.CYCLING,
    shell:
        logged(
            '"$LABLEDGER_PYTHON" -m labledger analyze {wildcards.id}'
            " --record {input.record} --out {output.json} --plot {output.svg}"
            " --rule cell_analysis > {log} 2>&1"
        )
