"""The page: self-contained, offline, and safe with any data: no URL referenced, nothing to load."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from featurewatch.detect import detect_profile
from featurewatch.report import assemble, render_html
from featurewatch.report.html import CSP
from helpers import END, START, profile_frame, synthetic_frame

#: Elements that load something or run something.
LOADING = {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "track", "base",
           "form", "image", "use", "picture", "portal", "frame", "applet"}
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "data", "poster", "xlink:href", "background",
                  "manifest", "ping", "cite", "longdesc", "codebase"}


class _References(HTMLParser):
    """Every reference a browser could follow or fetch: elements that load, URL-bearing attributes, CSS urls."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_style = False
        self.csp: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in LOADING:
            self.found.append(f"<{tag}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = attributes.get("content")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta refresh>")
        for name, value in attrs:
            if name in URL_ATTRIBUTES and not (name == "href" and (value or "").startswith("#")):
                self.found.append(f"{name}={value}")
            if name == "style" and re.search(r"url\(|@import|image-set", value or "", re.I):
                self.found.append(f"style={value}")
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style and re.search(r"url\(|@import|image-set|src:", data, re.I):
            self.found.append("CSS reference")


def references(page: str) -> _References:
    parser = _References()
    parser.feed(page)
    return parser


def test_the_demo_report_references_no_external_url(demo):
    """The `make demo` report: no element that loads, no URL anywhere in the file, a CSP that forbids loading."""
    page = demo.report.read_text(encoding="utf-8")
    found = references(page)
    assert found.found == []
    assert re.findall(r"[A-Za-z][A-Za-z0-9+.-]*://|//[A-Za-z0-9.-]+\.[a-z]{2,}", page) == []
    assert found.csp == CSP and "default-src 'none'" in CSP


@pytest.fixture(scope="module")
def hostile(synth):
    """A window whose values look like markup and URLs."""
    frame = synthetic_frame(1000, seed=8)
    rows = np.arange(len(frame))
    frame.loc[rows % 2 == 0, "colour"] = "http://evil.example/track.png"
    frame.loc[rows % 3 == 0, "colour"] = '<img src="http://evil.example/x.png" onerror="alert(1)">'
    frame.loc[rows % 2 == 0, "note"] = "see https://evil.example/a <script>alert(1)</script> url(//evil.example)"
    profile = profile_frame(synth, frame, prediction="score", versions={"1.0": 999, '"><link href=//x>': 1})
    report = detect_profile(synth, profile)
    return render_html(assemble(synth, profile, report, window=(START, END), source="<b>logs</b>"))


def test_values_that_look_like_markup_or_urls_stay_text(hostile):
    """They are shown (escaped), but nothing in them becomes an element or an attribute the browser follows."""
    assert references(hostile).found == []
    assert "&lt;img src=&quot;http://evil.example/x.png&quot;" in hostile and "<img" not in hostile
    assert "<script" not in hostile and "<link" not in hostile and "<b>logs</b>" not in hostile


def test_one_section_per_feature_with_at_least_one_chart(demo):
    page = demo.report.read_text(encoding="utf-8")
    sections = re.findall(r'<section id="(f-[^"]+)" class="feature[^"]*" data-feature="([^"]+)">(.*?)</section>',
                          page, re.S)
    assert sorted(name for _, name, _ in sections) == sorted(f.name for f in demo.baseline.monitored())
    assert all("<svg" in body for _, _, body in sections)


def test_top_lists_the_findings_worst_first_each_linking_to_its_feature(demo):
    page = demo.report.read_text(encoding="utf-8")
    top = page.split('<table class="findings">', 1)[1].split("</table>", 1)[0]
    severities = re.findall(r'<td><span class="sev (\w+)">', top)
    ranks = {"critical": 2, "warning": 1, "info": 0}
    assert severities and [ranks[s] for s in severities] == sorted((ranks[s] for s in severities), reverse=True)
    targets = set(re.findall(r'href="#([^"]+)"', top))
    assert "f-loan_amount" in targets and all(f'id="{t}"' in page for t in targets)
