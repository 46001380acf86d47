"""Plots as inline SVG: the report's summary plots (matplotlib) and the analyses' own SVG files.

Every SVG put into a page goes through `inline_svg`, which parses it as XML, drops anything
that could run or fetch (script, foreignObject, event attributes, external links), drops the XML
prolog and comments, and prefixes every id so several plots can share one page.
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

from markupsafe import Markup

from labledger.atomic import write_text_atomic

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

_DROP_TAGS = {f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}foreignObject", f"{{{SVG_NS}}}metadata"}
_HREF_KEYS = ("href", f"{{{XLINK_NS}}}href")
_URL_REF = re.compile(r"url\(#([^)]+)\)")

#: Folder (inside the report folder) of cleaned analysis plots, by sha256 of file and prefix.
PLOT_CACHE = ".plot-cache"

#: Figure size of a summary plot, inches. Pages show it 512-720 px wide (1.3-1.8 px per point),
#: so 10 pt tick labels are 13 px or more.
SUMMARY_FIGSIZE = (5.6, 4.0)
#: Legend text of a summary plot, points (>= 10 px at the narrowest width the page gives).
LEGEND_PT = 8.5


#: Anything that could run code or fetch: such files take the slow, parsing path.
_RISKY_WORDS = (
    "<script",
    "foreignobject",
    "<iframe",
    "<object",
    "<embed",
    "<image",
    "<!entity",
    "javascript:",
    "<a ",
    "<a>",
)
_EVENT_ATTR = re.compile(r"\son[a-z]+\s*=")
_PROLOG = re.compile(r"\A\s*(<\?xml[^>]*\?>)?\s*(<!DOCTYPE[^>]*>)?\s*", re.IGNORECASE)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SIZE = re.compile(r'\A(<svg\b[^>]*?)\s(width|height)="[^"]*"([^>]*?)\s(width|height)="[^"]*"')


def _plain(text: str) -> bool:
    """True for an SVG without scripts, event attributes, links or entities."""
    low = text.lower()
    if not low.lstrip().startswith(("<?xml", "<!doctype", "<svg")):
        return False
    if any(w in low for w in _RISKY_WORDS) or low.count("href") != low.count('href="#'):
        return False
    maybe_event = " on" in low or "\ton" in low or "\non" in low or "\ron" in low
    return not (maybe_event and _EVENT_ATTR.search(low))


def inline_svg(svg: str | bytes, prefix: str) -> Markup:
    """An SVG document as safe markup for an HTML page, ids prefixed with `prefix`.

    Plain matplotlib output (no scripts, event attributes or external links) takes a fast
    textual path; anything else is parsed and cleaned element by element.
    """
    text = svg.decode("utf-8", "replace") if isinstance(svg, bytes) else svg
    if _plain(text):
        text = _COMMENT.sub("", _METADATA.sub("", _PROLOG.sub("", text, count=1)))
        if text.startswith("<svg"):
            text = (
                text.replace(' id="', f' id="{prefix}-')
                .replace("url(#", f"url(#{prefix}-")
                .replace('href="#', f'href="#{prefix}-')
            )
            text = _SIZE.sub(r"\1\3", text, count=1)
            return Markup(text.replace("<svg", '<svg class="plot"', 1))
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return Markup('<p class="none">plot file unreadable</p>')
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag in _DROP_TAGS:
                parent.remove(child)
    for el in root.iter():
        for key in list(el.attrib):
            value = el.attrib[key]
            if key.lower().startswith("on"):
                del el.attrib[key]
            elif key == "id":
                el.attrib[key] = f"{prefix}-{value}"
            elif key in _HREF_KEYS:
                if value.startswith("#") and value[1:] in ids:
                    el.attrib[key] = f"#{prefix}-{value[1:]}"
                else:
                    del el.attrib[key]
            elif "url(#" in value:
                el.attrib[key] = _URL_REF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", value)
        if el.tag == f"{{{SVG_NS}}}style" and el.text:
            el.text = _URL_REF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", el.text)
            el.text = re.sub(r"#([A-Za-z_][\w-]*)", lambda m: f"#{prefix}-{m.group(1)}", el.text)
    root.set("class", "plot")
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    return Markup(ET.tostring(root, encoding="unicode"))


def inline_svg_file(
    path: Path, prefix: str, cache: Path | None = None, used: set[Path] | None = None
) -> Markup:
    """An analysis plot file as inline markup (see `inline_svg`).

    With a `cache` folder the cleaned markup is kept there under the sha256 of the file and
    the prefix, so an unchanged plot is not cleaned again on the next build; the cache file
    is added to `used`.
    """
    raw = path.read_bytes()
    if cache is None:
        return inline_svg(raw, prefix)
    key = hashlib.sha256(raw + prefix.encode()).hexdigest()
    return _cached(cache / f"{key}.svg", used, lambda: inline_svg(raw, prefix))


def _cached(hit: Path, used: set[Path] | None, make: Callable[[], Markup]) -> Markup:
    """The markup kept in the cache file `hit`, or `make()` written there (atomically: a cache
    file, once there, is trusted); `hit` joins `used`."""
    if used is not None:
        used.add(hit)
    if hit.is_file():
        return Markup(hit.read_text(encoding="utf-8"))
    markup = make()
    write_text_atomic(hit, str(markup))
    return markup


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

    key = data_key([series, xlabel, ylabel, prefix, logy, version("matplotlib"), _code_key()])
    return _cached(cache / f"summary-{key}.svg", used, draw)


@cache
def _code_key() -> str:
    """sha256 of this module: a change to how plots are drawn draws the cached ones again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


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
                shown = [p for p in points if p[1] is not None and p[2] is not None]
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


def _with_titles(svg: str, titles: dict[str, str]) -> str:
    """`svg` with a <title> as the first child of each group whose id `titles` names."""
    from html import escape

    for gid, title in titles.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{escape(title)}</title>', 1)
    return svg


#: Figure size of an Arrhenius plot, inches (shown up to 44rem, 704 px: 1.5 px per point).
ARRHENIUS_FIGSIZE = (6.4, 4.6)


@dataclass(frozen=True)
class ArrheniusSeries:
    """One conductivity of a sample at several temperatures and its Arrhenius fit.

    `points` are (spectrum id, temperature in C, sigma in S/cm, tooltip); the fit is
    ln(sigma T) = ln(A) - Ea / (k_B T) with `ea_ev` in eV (the arrhenius_fit row's), ln(A) the
    least-squares intercept for that slope, T in K. `label` names the data, `fit_label` the line.
    """

    quantity: str
    label: str
    fit_label: str
    ea_ev: float
    points: tuple[tuple[str, float, float, str], ...]

    def line(self, n: int = 60) -> tuple[list[float], list[float]]:
        """The fitted sigma (S/cm) at n temperatures over the points' range: (1000/T in 1/K,
        sigma)."""
        import numpy as np

        from labledger.eis.arrhenius import K_B_EV_PER_K, ZERO_C_IN_K

        tk = np.array([p[1] for p in self.points]) + ZERO_C_IN_K
        sigma = np.array([p[2] for p in self.points])
        slope = -self.ea_ev / K_B_EV_PER_K
        intercept = float(np.mean(np.log(sigma * tk) - slope / tk))
        t = np.linspace(tk.min(), tk.max(), n)
        return list(1000 / t), list(np.exp(intercept + slope / t) / t)


class ArrheniusPlot(LazyPlot):
    """The Arrhenius plot of a sample's conductivities: log sigma vs 1000/T with the fitted
    lines, drawn when its page is rendered and kept in the plot cache."""

    def __init__(self, series: Sequence[ArrheniusSeries], prefix: str, cache: Path) -> None:
        self.series, self.prefix, self.cache = tuple(series), prefix, cache
        self.used: set[Path] = set()

    def key(self) -> list[Any]:
        """The series, the id prefix, matplotlib's version and this module's code."""
        from dataclasses import astuple
        from importlib.metadata import version

        return [
            [astuple(s) for s in self.series],
            self.prefix,
            version("matplotlib"),
            _code_key(),
        ]

    def __html__(self) -> str:
        from labledger.page_manifest import data_key

        hit = self.cache / f"plot-arrhenius-{data_key(self.key())}.svg"
        return str(_cached(hit, self.used, lambda: _draw_arrhenius(self.series, self.prefix)))


#: Marker and colour of each conductivity in an Arrhenius plot.
_ARRHENIUS_STYLE = {"sigma_total": ("o", "#1f4e9c"), "sigma_bulk": ("s", "#c2571a")}


def _draw_arrhenius(series: Sequence[ArrheniusSeries], prefix: str) -> Markup:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from labledger.eis.arrhenius import ZERO_C_IN_K

    titles: dict[str, str] = {}
    with matplotlib.rc_context({"svg.hashsalt": prefix, "svg.fonttype": "none"}):
        fig, ax = plt.subplots(figsize=ARRHENIUS_FIGSIZE, layout="constrained")
        try:
            for s in series:
                marker, colour = _ARRHENIUS_STYLE.get(s.quantity, ("D", "#444444"))
                xs, ys = s.line()
                (fit,) = ax.plot(xs, ys, "-", color=colour, lw=1.5, label=s.fit_label)
                fit.set_gid(f"fit-{s.quantity}")
                for k, (_spectrum, t_c, sigma, title) in enumerate(s.points):
                    (pt,) = ax.plot(
                        [1000 / (t_c + ZERO_C_IN_K)],
                        [sigma],
                        marker,
                        ms=7,
                        mfc="white",
                        mec=colour,
                        mew=1.5,
                        label=s.label if k == 0 else "_nolegend_",
                    )
                    gid = f"pt{len(titles)}"
                    pt.set_gid(gid)
                    titles[gid] = title
            ax.set_yscale("log")
            ax.set_xlabel("1000/T (1/K)")
            ax.set_ylabel("conductivity (S/cm)")
            ax.grid(True, which="major", color="#dddddd", lw=0.6)

            def to_celsius(x: Any) -> Any:
                with np.errstate(divide="ignore"):
                    return 1000 / np.asarray(x, float) - ZERO_C_IN_K

            def to_inverse(t: Any) -> Any:
                with np.errstate(divide="ignore"):
                    return 1000 / (np.asarray(t, float) + ZERO_C_IN_K)

            top = ax.secondary_xaxis("top", functions=(to_celsius, to_inverse))
            top.set_xlabel("T (\u00b0C)")
            ax.legend(fontsize=LEGEND_PT, frameon=False, loc="lower left")
            buf = io.StringIO()
            fig.savefig(buf, format="svg")
        finally:
            plt.close(fig)
    return inline_svg(_with_titles(buf.getvalue(), titles), prefix)
