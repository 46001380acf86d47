"""config.yaml: where the records are, where results go, which database to use.

Paths are relative to the folder holding config.yaml. The database URL comes from, in order:
the `LABLEDGER_DATABASE_URL` environment variable, `database_url` in config.yaml, or a SQLite
file `<results_dir>/labledger.db`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# the names live in a module that imports nothing (the Snakefile reads them); re-exported here
from labledger.config_names import (
    CONFIG_ENV,
    CONFIG_VALUES_ENV,
    DATABASE_URL_ENV,
    DEFAULT_CONFIG_NAME,
    PELLET_CIRCUIT,
)
from labledger.errors import ConfigError


class EisSettings(BaseModel):
    """Settings of the impedance analysis."""

    model_config = ConfigDict(extra="forbid")

    default_circuit: str = Field(
        default=PELLET_CIRCUIT,
        description="Circuit fitted when a record names none (impedance.py string syntax).",
    )


class XrdSettings(BaseModel):
    """Settings of the XRD phase analysis."""

    model_config = ConfigDict(extra="forbid")

    phases: dict[str, str] = Field(
        default_factory=dict,
        description="Extra or replacement candidate phases: NAME -> CIF path (relative to "
        "config.yaml). The shipped ones are LLTO_tetragonal, LLTO_cubic, Li2La2Ti3O10, rutile, "
        "anatase, La2O3, Li2TiO3, Li2CO3, La(OH)3, La2Ti2O7, Li4Ti5O12 and LiOH.",
    )
    candidates: list[str] | None = Field(
        default=None, description="Limit the candidates to these names (default: all)."
    )


class WorkflowSettings(BaseModel):
    """Settings of the Snakemake workflow itself."""

    model_config = ConfigDict(extra="forbid")

    shards: int = Field(
        default=0,
        ge=0,
        le=4096,
        description="0: one analysis job per record. N > 0: per analysed kind, N jobs that each "
        "cover the records with crc32(id) % N == i and reuse a record's result while its "
        "record, raw file, parameters and analysis version are unchanged (for big record "
        "stores: Snakemake plans a few hundred jobs instead of one per record).",
    )


class ConfigFile(BaseModel):
    """The fields of config.yaml (its JSON Schema is schema/config.schema.json)."""

    model_config = ConfigDict(extra="forbid")

    records_dir: str = Field(default="records", description="Folder of record files.")
    results_dir: str = Field(default="results", description="Folder for derived results.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://host/lab; "
        "default sqlite:///<results_dir>/labledger.db. LABLEDGER_DATABASE_URL overrides it.",
    )
    eis: EisSettings = Field(default_factory=EisSettings)
    xrd: XrdSettings = Field(default_factory=XrdSettings)
    workflow: WorkflowSettings = Field(default_factory=WorkflowSettings)


class Config:
    """A loaded configuration with paths resolved against the config file's folder."""

    def __init__(self, fields: ConfigFile, root: Path, source: Path | None = None) -> None:
        self.fields = fields
        self.root = root.resolve()
        self.source = source
        self.records_dir = (self.root / fields.records_dir).resolve()
        self.results_dir = (self.root / fields.results_dir).resolve()

    @property
    def database_url(self) -> str:
        url = os.environ.get(DATABASE_URL_ENV) or self.fields.database_url
        if not url:
            return f"sqlite:///{self.results_dir / 'labledger.db'}"
        prefix = "sqlite:///"
        if url.startswith(prefix) and url != "sqlite:///:memory:":
            db_path = Path(url[len(prefix) :])
            if not db_path.is_absolute():
                return f"{prefix}{(self.root / db_path).resolve()}"
        return url


def find_config(explicit: Path | None = None) -> Path | None:
    """The config file to use: the explicit path, $LABLEDGER_CONFIG, or the config.yaml of the
    current folder or the nearest folder above it, as git finds its repository (a notebook in
    `analysis/` of the project uses the project's). The search stops at the top of a git work
    tree, so a project never picks up a config.yaml from outside its repository."""
    if explicit is not None:
        return explicit
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def load_config(path: Path | None = None) -> Config:
    """Load and validate config.yaml; without one, defaults relative to the current folder."""
    from labledger.records.validate import pydantic_problems
    from labledger.records.yamlfile import YamlProblems, read_yaml

    path = find_config(path)
    if path is None:
        return Config(ConfigFile(), Path.cwd())
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        doc = read_yaml(path)
    except YamlProblems as err:
        raise ConfigError(str(err)) from None
    values = os.environ.get(CONFIG_VALUES_ENV)
    if values:
        try:
            doc.data = json.loads(values)
        except ValueError as err:
            raise ConfigError(f"${CONFIG_VALUES_ENV}: not JSON ({err})") from None
    try:
        fields = ConfigFile.model_validate(doc.data)
    except ValidationError as err:
        raise ConfigError("\n".join(map(str, pydantic_problems(doc, ConfigFile, err)))) from None
    for name in ("records_dir", "results_dir", "database_url"):
        # a NUL byte or an over-long name only fails when the path is first used
        value = getattr(fields, name)
        try:
            if name != "database_url":
                (path.parent / value).resolve().exists()
            elif value and value.startswith("sqlite:///"):
                Path(value[len("sqlite:///") :]).resolve().exists()
        except (ValueError, OSError) as err:
            line, col = doc.position((name,))
            why = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            raise ConfigError(f"{path}:{line}:{col}: {name}: not a usable path ({why})") from None
    return Config(fields, path.parent, source=path)
