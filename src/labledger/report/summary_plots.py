"""The index page's summary plots: scatter plots of batches and cells, drawn with matplotlib.

Each point has its sample's colour (`sample_colour`: the same in every plot and every build),
its group's marker shape (`group_markers`) and a tooltip naming its sample; a plot is drawn again
only when its data change (`scatter_svg` with the plot cache).
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from markupsafe import Markup

from labledger.report.plots import LEGEND_PT, code_key
from labledger.report.svg import SVG_NS, cached, inline_svg

#: Figure size of a summary plot, inches. Pages show it 512-720 px wide (1.3-1.8 px per point),
#: so 10 pt tick labels are 13 px or more.
SUMMARY_FIGSIZE = (5.6, 4.0)

#: One point of a summary plot: the sample it stands for, x, y and the tooltip that names it.
Point = tuple[str, float | None, float | None, str]

#: Marker shapes of the groups of a summary plot; a group's shape follows from its label.
MARKERS = "osD^vPX*ph"


def sample_colour(sample_id: str) -> str:
    """The colour of a sample in every summary plot, "#rrggbb": a function of its id alone
    (hue from the sha256 of the id, lightness and saturation fixed for contrast on white), so
    a sample keeps its colour when others are added or removed."""
    import colorsys

    hue = int(hashlib.sha256(sample_id.encode()).hexdigest()[:8], 16) / 2**32
    r, g, b = colorsys.hls_to_rgb(hue, 0.45, 0.75)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def group_markers(labels: Sequence[str]) -> dict[str, str]:
    """A marker shape per group label: the one the label's sha256 picks, or the next free one
    when an earlier label (in sorted order) holds it."""
    out: dict[str, str] = {}
    for label in sorted(set(labels)):
        start = int(hashlib.sha256(label.encode()).hexdigest()[:8], 16) % len(MARKERS)
        free = [MARKERS[(start + k) % len(MARKERS)] for k in range(len(MARKERS))]
        taken = set(out.values())
        out[label] = next((m for m in free if m not in taken), free[0])
    return out


def scatter_svg(
    series: Sequence[tuple[str, Sequence[Point]]],
    xlabel: str,
    ylabel: str,
    prefix: str,
    *,
    logy: bool = False,
    cache: Path | None = None,
    used: set[Path] | None = None,
) -> Markup:
    """A scatter plot of named groups of points as inline SVG; a point without x or y is
    skipped. Each point has its sample's colour (`sample_colour`), its group's marker shape
    (`group_markers`, in the legend) and an SVG <title> tooltip naming its sample.

    With a `cache` folder the plot is kept there under the sha256 of its data and labels and
    drawn again only when they change (matplotlib takes most of a second per plot); the cache
    file is added to `used`."""
    draw = partial(_draw_scatter, series, xlabel, ylabel, prefix, logy=logy)
    if cache is None:
        return draw()
    from importlib.metadata import version  # not `import matplotlib`: a hit must not load it

    from labledger.page_manifest import data_key

    key = data_key([series, xlabel, ylabel, prefix, logy, version("matplotlib"), code_key()])
    return cached(cache / f"summary-{key}.svg", used, draw)


def _draw_scatter(
    series: Sequence[tuple[str, Sequence[Point]]],
    xlabel: str,
    ylabel: str,
    prefix: str,
    *,
    logy: bool,
) -> Markup:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    markers = group_markers([label for label, _ in series])
    groups: dict[str, list[str]] = {}  # collection gid -> tooltip of each point, in order
    with matplotlib.rc_context({"svg.hashsalt": prefix, "svg.fonttype": "none"}):
        fig, ax = plt.subplots(figsize=SUMMARY_FIGSIZE, layout="constrained")
        try:
            handles = []
            for label, points in series:
                shown = [
                    (sample, x, y, title)
                    for sample, x, y, title in points
                    if x is not None and y is not None
                ]
                if not shown:
                    continue
                # one collection per group: a thousand points draw in a tenth of a second
                collection = ax.scatter(
                    [p[1] for p in shown],
                    [p[2] for p in shown],
                    c=[sample_colour(p[0]) for p in shown],
                    marker=markers[label],
                    s=49,
                    edgecolors="#333333",
                    linewidths=0.5,
                )
                gid = f"grp{len(groups)}"
                collection.set_gid(gid)
                groups[gid] = [p[3] for p in shown]
                handles.append(
                    Line2D([], [], marker=markers[label], color="#777777", ls="none", label=label)
                )
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            if logy and groups:
                ax.set_yscale("log")
            if len(series) > 1 and handles:
                ax.legend(handles=handles, fontsize=LEGEND_PT, frameon=False)
            if not groups:
                ax.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=ax.transAxes)
            buf = io.StringIO()
            fig.savefig(buf, format="svg")
        finally:
            plt.close(fig)
    return inline_svg(_with_point_titles(buf.getvalue(), groups), prefix)


def _with_point_titles(svg: str, groups: dict[str, list[str]]) -> str:
    """`svg` with each point of each scatter collection in `groups` a group of its own, with id
    "ptN" and a <title>.

    matplotlib writes a collection's points in their order, as the children of its group (after
    any <defs>): a <use> of the marker or a <path> each, or a clip group around each, or one
    clip group around them all. A collection whose points do not match its titles one to one
    gets no titles (none is misplaced)."""
    root = ET.fromstring(svg)
    by_id = {el.get("id"): el for el in root.iter() if el.get("id") in groups}
    n = 0
    g_tag, title_tag = f"{{{SVG_NS}}}g", f"{{{SVG_NS}}}title"
    for gid, titles in groups.items():
        group = by_id.get(gid)
        if group is None:
            continue
        parent = group
        items = [c for c in parent if c.tag != f"{{{SVG_NS}}}defs"]
        if len(items) == 1 and len(titles) > 1 and items[0].tag == g_tag:
            parent = items[0]  # one clip group around all the points
            items = list(parent)
        if len(items) != len(titles):
            continue
        for item, title in zip(items, titles, strict=True):
            if item.tag == g_tag:
                point = item
            else:  # a lone <use> or <path>: wrap it
                point = ET.Element(g_tag)
                parent.insert(list(parent).index(item), point)
                parent.remove(item)
                point.append(item)
            attributes = dict(point.attrib)
            point.attrib.clear()
            point.attrib.update({"id": f"pt{n}", **attributes})  # id first, as matplotlib's
            label = ET.Element(title_tag)
            label.text, label.tail, point.text = title, point.text, None
            point.insert(0, label)
            n += 1
    return ET.tostring(root, encoding="unicode")
