# With config.yaml `workflow: {shards: N}`: per analysed kind, N jobs, each covering the records
# with crc32(id) % N == i. A job reuses every result whose record, raw file, parameters and
# analysis version are unchanged and analyses the others in one process (labledger
# analyze-shard); the manifest it writes is what the ingest waits for. Snakemake then plans a
# few hundred jobs instead of one per record, which is what keeps a one-record change quick in
# a store of many thousands.


rule analysis_shard:
    input:
        shard_inputs,
    output:
        f"{RESULTS}/shards/{{kind}}/{SHARDS}/{{shard}}.json",
    message:
        "{wildcards.kind} analyses of shard {wildcards.shard}"
    log:
        f"{RESULTS}/logs/shards/{{kind}}/{SHARDS}/{{shard}}.log",
    wildcard_constraints:
        kind="|".join(KINDS),
        shard=r"\d+",
    params:
        settings=shard_settings,
    shell:
        logged(
            '"$LABLEDGER_PYTHON" -m labledger analyze-shard {wildcards.kind} --shard {wildcards.shard}'
            f" --shards {SHARDS} --manifest {{output}} --rule analysis_shard > {{log}} 2>&1"
        )
