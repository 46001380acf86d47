# One job per impedance record with a raw file: circuit fit, arcs, conductivity.


rule eis_analysis:
    input:
        record=lambda w: EIS[w.id][0],
        raw=lambda w: EIS[w.id][1],
    output:
        json=f"{RESULTS}/eis/{{id}}.json",
        svg=report(
            f"{RESULTS}/eis/{{id}}.svg",
            caption="../report/eis.rst",
            category="Impedance",
            labels={"spectrum": "{id}"},
        ),
    message:
        "impedance fit of {wildcards.id}"
    log:
        f"{RESULTS}/logs/eis/{{id}}.log",
    params:
        version=VERSIONS.EIS,
        circuit=eis_circuit,
    shell:
        logged(
            '"$LABLEDGER_PYTHON" -m labledger analyze {wildcards.id}'
            " --record {input.record} --out {output.json} --plot {output.svg}"
            " --rule eis_analysis > {log} 2>&1"
        )
