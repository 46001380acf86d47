# Reference patterns of the candidate XRD phases, computed once (pymatgen): an input of every
# XRD analysis (kinds/xrd.py: extra_inputs).


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
