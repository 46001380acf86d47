"""Version of each analysis method. Bump one when its results would change: the workflow passes
it to the analysis rules as a parameter, so Snakemake reruns exactly that analysis.

Kept in a module that imports nothing, because the Snakefile reads it on every invocation.
"""

CYCLING = "2"
EIS = "2"
XRD = "5"
XRD_REFERENCES = "1"
ARRHENIUS = "1"
