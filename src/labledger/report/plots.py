"""The plots a page shows, made only when the page is rendered, and what all plots share.

`PlotFile` is an analysis plot file (inlined through `report.svg`); the plots the report draws
are in `report.summary_plots` (the index's scatter plots) and `report.arrhenius_plot` (a
sample's conductivities against temperature). Cleaned and drawn plots are kept in the report's
`PLOT_CACHE` folder under a key of what they are made from and of this code (`code_key`).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from labledger.report.svg import inline_svg_file

#: Folder (inside the report folder) of cleaned analysis plots, by sha256 of file and prefix.
PLOT_CACHE = ".plot-cache"

#: Legend text of a drawn plot, points (>= 10 px at the narrowest width the page gives).
LEGEND_PT = 8.5

#: The modules that clean and draw plots: their code is part of a drawn plot's cache key.
PLOT_MODULES = ("svg.py", "plots.py", "summary_plots.py", "arrhenius_plot.py")


@cache
def code_key() -> str:
    """sha256 of the plot modules' code: a change to how plots are drawn draws the cached ones
    again."""
    digest = hashlib.sha256()
    for name in PLOT_MODULES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


class LazyPlot:
    """A plot that a page shows, made only when the page is rendered.

    `key()` stands for the plot in the page's key (plain data, no drawing), so deciding whether
    a page is current makes no plot; after rendering, `used` holds the plot-cache files used.
    """

    used: set[Path]

    def key(self) -> list[Any]:
        """What the plot is made from, as JSON-able data."""
        raise NotImplementedError

    def __html__(self) -> str:
        raise NotImplementedError


class PlotFile(LazyPlot):
    """An analysis plot file that a page shows, inlined only when the page is rendered.

    `key()` stands for the file's content in a page's key (path, id prefix, size and
    modification time: no read), so deciding whether a page is current never reads its plots.
    Rendering goes through `inline_svg_file` with the report's plot cache; `used` then holds
    the cache file.
    """

    def __init__(self, path: Path, prefix: str, cache: Path) -> None:
        self.path, self.prefix, self.cache = path, prefix, cache
        self.used: set[Path] = set()

    def key(self) -> list[Any]:
        """[path, prefix, size, mtime_ns] of the file."""
        stat = self.path.stat()
        return [str(self.path), self.prefix, stat.st_size, stat.st_mtime_ns]

    def __html__(self) -> str:
        return str(inline_svg_file(self.path, self.prefix, self.cache, self.used))
