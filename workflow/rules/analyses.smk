# One job per analysed record with a raw file, one rule per analysed kind, all from the registry
# of kinds (src/labledger/kinds/: its rule name, version, the settings it reads, its report
# category): adding a kind adds its rule here with no edit to this file. A kind's `--report`
# caption is workflow/report/<kind>.rst when there is one (a lab's own kind may have none).

for _kind in KINDS.values():

    rule:
        name:
            _kind.rule
        input:
            record=lambda w, k=_kind.name: ANALYSED[k][w.id][0],
            raw=lambda w, k=_kind.name: ANALYSED[k][w.id][1],
            extra=[f"{RESULTS}/{path}" for path in _kind.extra_inputs],
        output:
            json=f"{RESULTS}/{_kind.folder}/{{id}}.json",
            svg=report(
                f"{RESULTS}/{_kind.folder}/{{id}}.svg",
                caption=(
                    f"../report/{_kind.name}.rst"
                    if (Path(workflow.basedir) / "workflow" / "report" / f"{_kind.name}.rst").is_file()
                    else None
                ),
                category=_kind.report_category,
                labels={_kind.report_label: "{id}"},
            ),
        message:
            _kind.message.replace("{id}", "{wildcards.id}")
        log:
            f"{RESULTS}/logs/{_kind.folder}/{{id}}.log",
        params:
            # a new analysis version, or a change of a setting the analysis reads, reruns
            # exactly the records it affects (Snakemake's params trigger)
            version=_kind.version,
            rule=_kind.rule,  # the record's provenance names it
            **{
                name: (lambda w, k=_kind, f=get: f(Path(ANALYSED[k.name][w.id][0]), config))
                for name, get in _kind.record_settings.items()
            },
        shell:
            logged(
                '"$LABLEDGER_PYTHON" -m labledger analyze {wildcards.id}'
                " --record {input.record} --out {output.json} --plot {output.svg}"
                # a parameter, not the loop's _kind: Snakemake runs this at job time, when
                # _kind is the last kind
                " --rule {params.rule} > {log} 2>&1"
            )
