"""Checks that an HTML recording is one self-contained page.

    python3 htmlcheck.py FILE.html [FILE.svg]

Fails unless the page fetches nothing: no element that loads (img,
iframe, link, object, embed, ...), no src/href/action/poster/srcset/data
attribute, no url(...) or @import anywhere (an SVG xmlns is a name, not a
fetch); unless it has exactly one inline <script> and an <svg id="tl">
(then its finer levels of detail, tl1, tl2, ..., each in tiles: <svg
class="tile"> whose data-z is its items deflated in base64, checked here
inflated, as the page shows them) whose items name their lanes (data-l). Given the SVG recording of the same
run, also fails unless the page's SVG is that picture (the same display
list) but for the page's attributes. Prints what it counted."""
import base64
import re
import sys
import zlib
from html.parser import HTMLParser

LOADS = {"img", "iframe", "frame", "link", "object", "embed", "audio", "video", "source",
         "track", "image", "use", "feimage", "base", "form", "input", "meta-refresh"}
FETCH_ATTRS = {"src", "href", "xlink:href", "action", "poster", "srcset", "data",
               "formaction", "background", "manifest", "ping"}


def fail(why):
    print(f"htmlcheck: {sys.argv[1]}: {why}")
    sys.exit(1)


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = {}
        self.scripts = 0
        self.svg_ids = []
        self.lanes = 0
        self.tiles = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag in LOADS:
            fail(f"a <{tag}> loads something")
        for name, value in attrs:
            if name in FETCH_ATTRS:
                fail(f"<{tag} {name}={value!r}> fetches")
            if name == "http-equiv" and value and value.lower() == "refresh":
                fail("a meta refresh")
            if name == "data-l":
                self.lanes += 1
        if tag == "script":
            self.scripts += 1
        if tag == "svg" and dict(attrs).get("class") == "tile":
            self.tiles.append(dict(attrs).get("data-z") or "")
        elif tag == "svg":
            self.svg_ids.append(dict(attrs).get("id"))


def no_fetch(text):
    for bad in (r"url\s*\(", r"@import", r"\bfetch\s*\(", r"XMLHttpRequest", r"WebSocket",
                r"EventSource", r"importScripts", r"\bimport\s*\("):
        if re.search(bad, text, re.I):
            fail(f"{bad} in the page")


text = open(sys.argv[1], encoding="utf-8").read()
no_fetch(re.sub(r' data-z="[^"]*"', "", text))
p = Page()
p.feed(text)
# what the page's script puts in the tiles: SVG items, fetching nothing
for z in p.tiles:
    try:
        items = zlib.decompress(base64.b64decode(z, validate=True)).decode("utf-8")
    except Exception as e:
        fail(f"a tile does not inflate: {e}")
    no_fetch(items)
    if re.search(r"<(svg|script)\b", items):
        fail("a tile holds more than items")
    p.feed(items)
if p.scripts != 1:
    fail(f"{p.scripts} scripts, want one inline")
if not p.svg_ids or p.svg_ids != ["tl"] + [f"tl{k}" for k in range(1, len(p.svg_ids))]:
    fail(f"svg elements {p.svg_ids}, want tl then its finer levels tl1, tl2, ...")
if p.lanes < 4:
    fail(f"only {p.lanes} items name their lane")
if len(sys.argv) > 2:
    page = re.search(r"<svg [^>]*id=\"tl\".*?</svg>\n", text, re.S).group(0)
    page = re.sub(r' (data-[lm]="-?\d+"|id="tl")', "", page)
    svg = open(sys.argv[2], encoding="utf-8").read()
    svg = svg[svg.index("<svg "):]
    if page != svg:
        fail(f"its SVG is not the picture of {sys.argv[2]}")
print(f"tags={sum(p.tags.values())} lanes={p.lanes} scripts={p.scripts} tiles={len(p.tiles)}")
