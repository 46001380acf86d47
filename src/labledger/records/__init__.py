"""Record files: models of each kind (`kinds.KINDS`), YAML loading with positions
(`yamlfile`), validation (`validate`), the store and its cross-file checks (`store`).

Nothing is imported here, so that `labledger.records.paths` stays cheap for the Snakefile.
"""
