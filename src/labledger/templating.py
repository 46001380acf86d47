"""The Jinja2 environment of the report and the provenance pages.

Compiled templates are cached on disk (Jinja2's FileSystemBytecodeCache, in a folder of the
user's own under the system's temporary directory, keyed by each template's source): compiling
the report's templates took about 0.2 s of every build, and the workflow builds after every
change.
"""

from __future__ import annotations

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined


def template_environment(package: str) -> Environment:
    """An autoescaping, strict environment over `package`'s `templates/` folder."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=FileSystemBytecodeCache(),
    )
