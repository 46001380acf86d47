"""What every command module shares: the `--config` option and the config it names."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from labledger.config import Config

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="config.yaml to use (default: ./config.yaml, or $LABLEDGER_CONFIG).",
        show_default=False,
    ),
]


def config_of(ctx: typer.Context) -> Config:
    """The configuration of this run: the root `--config`, else the default search."""
    from labledger.config import load_config

    return load_config(ctx.obj)


def echo_err(text: str) -> None:
    """Print `text` to stderr."""
    typer.echo(text, err=True)
