"""Plots as safe inline SVG: the analyses' own SVG files and the plots the report draws.

Every SVG put into a page goes through `inline_svg`, which parses it as XML, drops anything
that could run or fetch (script, foreignObject, event attributes, external links), drops the XML
prolog and comments, and prefixes every id so several plots can share one page. `cached` keeps
cleaned or drawn markup in the report's plot cache.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

from labledger.atomic import write_text_atomic

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

_DROP_TAGS = {f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}foreignObject", f"{{{SVG_NS}}}metadata"}
_HREF_KEYS = ("href", f"{{{XLINK_NS}}}href")
_URL_REF = re.compile(r"url\(#([^)]+)\)")


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
    return cached(cache / f"{key}.svg", used, lambda: inline_svg(raw, prefix))


def cached(hit: Path, used: set[Path] | None, make: Callable[[], Markup]) -> Markup:
    """The markup kept in the cache file `hit`, or `make()` written there (atomically: a cache
    file, once there, is trusted); `hit` joins `used`."""
    if used is not None:
        used.add(hit)
    if hit.is_file():
        return Markup(hit.read_text(encoding="utf-8"))
    markup = make()
    write_text_atomic(hit, str(markup))
    return markup
