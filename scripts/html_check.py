#!/usr/bin/env python3
"""Reads a VMSim HTML report with Python's html.parser and prints what it holds as JSON:
whether every tag is closed in order, the figures, the SVG charts (and how many of them draw
nothing), and every table's cells. Exit status 1 when the tags do not balance."""
import json
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
DRAWN = {"path", "rect", "circle", "line", "polyline", "polygon"}


class Report(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems = [], []
        self.figures, self.svgs, self.empty_svgs = 0, 0, 0
        self.drawn_in_svg = 0
        self.tables, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.stack.append((tag, self.getpos()))
        if tag == "figure":
            self.figures += 1
        elif tag == "svg":
            self.svgs += 1
            self.drawn_in_svg = 0
        elif tag in DRAWN and any(t == "svg" for t, _ in self.stack):
            self.drawn_in_svg += 1
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_startendtag(self, tag, attrs):
        if tag in DRAWN and any(t == "svg" for t, _ in self.stack):
            self.drawn_in_svg += 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            top = self.stack[-1] if self.stack else None
            self.problems.append(f"line {self.getpos()[0]}: </{tag}> closes {top[0] if top else 'nothing'}")
            return
        self.stack.pop()
        if tag == "svg" and self.drawn_in_svg == 0:
            self.empty_svgs += 1
        if tag in ("td", "th") and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def main():
    r = Report()
    r.feed(open(sys.argv[1], encoding="utf-8").read())
    r.close()
    for tag, (line, _) in r.stack:
        r.problems.append(f"<{tag}> at line {line} is never closed")
    json.dump({"balanced": not r.problems, "problems": r.problems[:20], "figures": r.figures, "svgs": r.svgs,
               "emptySvgs": r.empty_svgs, "tables": r.tables}, sys.stdout)
    sys.exit(0 if not r.problems else 1)


if __name__ == "__main__":
    main()
