"""Checks the picture rules on a display list written as text
(threadlab --record FILE.dl):

    python3 picturecheck.py FILE.dl...

Fails, saying where, unless:
- no two texts overlap (step titles, marker labels, row names, bar labels,
  the deadlock banner's lines), nor does any text run into the banner;
- every text lies inside a panel (the name column, the plot, the band of
  step titles, the banner, the axis, the legend, the wait-for graph ...);
- no two rows of one process carry the same name;
- every row shows something: bars at least 3 px long in all, or a marker;
- every lesson step has its title in full (not cut short) and readable
  (10 px or more).
Text boxes are those threadlab placed the texts by (DejaVu Sans widths)."""
import re
import sys

SLACK = 0.6  # px: boxes that only touch do not overlap


PATH = "?"


def fail(problems):
    for p in problems[:12]:
        print(f"picturecheck: {PATH}: {p}")
    if len(problems) > 12:
        print(f"picturecheck: ... and {len(problems) - 12} more")
    sys.exit(1)


def parse(path):
    panels, lanes, items = [], {}, []
    item_re = re.compile(r'(\w+) (\w+) lane=(-?\d+) lane2=(-?\d+) ref=(-?\d+) count=(\d+) '
                         r'box (\S+) (\S+) (\S+) (\S+)(?: kind=(\S+))?'
                         r'(?: size=(\S+) bold=(\d) "(.*)")?$')
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        w = line.split(" ")
        if w[0] == "panel":
            panels.append((w[1], *map(float, w[2:6])))
        elif w[0] == "lane":
            lanes[int(w[1])] = (float(w[2]), float(w[3]))
        elif w[0] != "display":
            m = item_re.match(line)
            if not m:
                fail([f"cannot read: {line}"])
            g = m.groups()
            text = g[13].replace('\\"', '"').replace("\\\\", "\\") if g[13] is not None else None
            items.append(dict(kind=g[0], role=g[1], lane=int(g[2]), ref=int(g[4]),
                              box=tuple(map(float, g[6:10])), mkind=g[10],
                              size=float(g[11]) if g[11] else 0, text=text))
    return panels, lanes, items


def overlap(a, b):
    return (min(a[2], b[2]) - max(a[0], b[0]) > SLACK and
            min(a[3], b[3]) - max(a[1], b[1]) > SLACK)


def inside(box, p):
    return (box[0] >= p[1] - SLACK and box[2] <= p[3] + SLACK and
            box[1] >= p[2] - SLACK and box[3] <= p[4] + SLACK)


def main():
    global PATH
    for PATH in sys.argv[1:]:
        check(PATH)


def check(path):
    panels, lanes, items = parse(path)
    problems = []
    texts = [it for it in items if it["kind"] == "text" and it["text"]]
    holders = [p for p in panels if p[0] != "process"]
    banners = [p for p in panels if p[0] == "banner"]
    for it in texts:
        where = [p[0] for p in holders if inside(it["box"], p)]
        if not where:
            problems.append(f"text outside every panel: {it['text']!r} at {it['box']}")
        elif "banner" not in where:
            for b in banners:
                if overlap(it["box"], b[1:]):
                    problems.append(f"text under the banner: {it['text']!r}")
    ordered = sorted(texts, key=lambda it: it["box"][0])
    for i, a in enumerate(ordered):  # sweep along x
        for b in ordered[i + 1:]:
            if b["box"][0] >= a["box"][2] - SLACK:
                break
            if overlap(a["box"], b["box"]):
                problems.append(f"texts overlap: {a['text']!r} at {a['box']} "
                                f"and {b['text']!r} at {b['box']}")
    # rows: lanes that share a top share a row
    rows = {}
    for lane, (y0, y1) in lanes.items():
        rows.setdefault(y0, []).append(lane)
    names = {}
    for it in texts:
        if it["role"] == "label" and it["lane"] >= 0 and it["box"][2] <= min(
                (p[3] for p in panels if p[0] == "names"), default=1e9) + SLACK:
            names.setdefault(lanes[it["lane"]][0], it["text"])
    for proc in (p for p in panels if p[0] == "process"):
        seen = {}
        for y0, name in sorted(names.items()):
            if proc[2] <= y0 < proc[4]:
                if name in seen:
                    problems.append(f"two rows named {name!r} (at y {seen[name]} and {y0})")
                seen[name] = y0
    for y0, members in sorted(rows.items()):
        bars = sum(it["box"][2] - it["box"][0] for it in items
                   if it["lane"] in members and it["role"] == "segment" and it["ref"] != 7)
        marks = any(it["lane"] in members and it["kind"] == "glyph" for it in items)
        if bars < 3 and not marks:
            problems.append(f"the row of {names.get(y0, '?')!r} (y {y0}) shows nothing: "
                            f"{bars:.1f} px of bars, no marker")
    steps = [it for it in items if it["kind"] == "line" and it["mkind"] == "lesson-step"]
    titles = [it for it in texts if it["mkind"] == "lesson-step"]
    if len(titles) < len(steps):
        problems.append(f"{len(steps)} lesson steps but {len(titles)} step titles")
    for it in titles:
        if it["text"].endswith("…") or it["size"] < 10:
            problems.append(f"a step title cut short or too small: {it['text']!r}")
    if problems:
        fail(problems)
    print(f"{path}: {len(texts)} texts, {len(rows)} rows, {len(steps)} steps: ok")


main()
