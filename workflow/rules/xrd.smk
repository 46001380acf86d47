# Reference patterns of the candidate phases, computed once (pymatgen), then one job per scan.


rule xrd_references:
    input:
        XRD_PHASES.values(),
    output:
        f"{RESULTS}/references/xrd_patterns.json",
    message:
        "reference patterns of the candidate phases"
    log:
        f"{RESULTS}/logs/xrd/references.log",
    params:
        phases=" ".join(f"--phase '{name}={path}'" for name, path in XRD_PHASES.items()),
        version=VERSIONS.XRD_REFERENCES,
    shell:
        logged(
            '"$LABLEDGER_PYTHON" -m labledger xrd references'
            " --out {output} {params.phases} > {log} 2>&1"
        )


rule xrd_analysis:
    input:
        record=lambda w: XRD[w.id][0],
        raw=lambda w: XRD[w.id][1],
        references=f"{RESULTS}/references/xrd_patterns.json",
    output:
        json=f"{RESULTS}/xrd/{{id}}.json",
        svg=report(
            f"{RESULTS}/xrd/{{id}}.svg",
            caption="../report/xrd.rst",
            category="XRD",
            labels={"scan": "{id}"},
        ),
    message:
        "XRD analysis of {wildcards.id}"
    log:
        f"{RESULTS}/logs/xrd/{{id}}.log",
    params:
        version=VERSIONS.XRD,
        candidates=config.get("xrd", {}).get("candidates"),
    shell:
        logged(
            '"$LABLEDGER_PYTHON" -m labledger analyze {wildcards.id}'
            " --record {input.record} --out {output.json} --plot {output.svg}"
            " --rule xrd_analysis > {log} 2>&1"
        )
