"""The demo's report in a real browser (Debian's chromium, headless): it renders, draws, and logs nothing.

``make test`` installs chromium when it is missing; without it this test
fails, it never skips. ``FEATUREWATCH_UPDATE_SCREENSHOT=1`` also copies the
screenshot to ``docs/report.png`` (the README's picture): every run's
screenshot differs slightly (the report names its folder and the time it
was written), so the picture in the repository changes only when asked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

from featurewatch.report.html import CSP

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "report.png"
#: Measures, after layout, the charts each feature's section really draws (only in the test's copy).
PROBE = """<script nonce="probe">
for (const section of document.querySelectorAll("section.feature")) {
  const drawn = [...section.querySelectorAll("svg.chart")].filter(svg => {
    const box = svg.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && svg.querySelector("rect, polyline, circle");
  });
  section.dataset.drawn = String(drawn.length);
}
document.body.dataset.probe = "done";
</script>"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless chromium with a fresh profile; fail (not skip) when it is not installed."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    profile = tmp_path / f"profile-{uuid.uuid4().hex[:8]}"
    return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=180, check=False)


def console(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The page's console messages (errors, CSP refusals) in chromium's log."""
    return [line for line in result.stderr.splitlines() if ":CONSOLE" in line]


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, str | None]] = {}
        self.body: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and "feature" in (attributes.get("class") or "").split():
            self.sections[attributes["data-feature"] or ""] = attributes
        if tag == "body":
            self.body = attributes


def rendered(dom: str) -> _Sections:
    parser = _Sections()
    parser.feed(dom)
    return parser


def test_the_demo_report_renders_in_headless_chromium(demo, tmp_path):
    """No console message, every feature's section in the rendered DOM with a chart drawn, a screenshot."""
    features = sorted(f.name for f in demo.baseline.monitored())
    shot = tmp_path / "report.png"
    taken = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars",
                     demo.report.as_uri())
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert console(taken) == []

    dumped = chromium(tmp_path, "--dump-dom", demo.report.as_uri())
    assert dumped.returncode == 0 and console(dumped) == []
    assert sorted(rendered(dumped.stdout).sections) == features

    # The charts as laid out: a copy of the report with a measuring script, allowed by a nonce.
    page = demo.report.read_text(encoding="utf-8")
    assert page.count(CSP) == 1
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace(CSP, CSP + "; script-src 'nonce-probe'").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    measured = chromium(tmp_path, "--window-size=1280,2000", "--dump-dom", probe.as_uri())
    assert measured.returncode == 0 and console(measured) == []
    dom = rendered(measured.stdout)
    assert dom.body.get("data-probe") == "done"
    drawn = {name: int(attributes.get("data-drawn") or 0) for name, attributes in dom.sections.items()}
    assert sorted(drawn) == features and min(drawn.values()) >= 1, drawn

    if os.environ.get("FEATUREWATCH_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def test_a_page_that_loads_something_is_caught(tmp_path):
    """The console check is real: a blocked load (a CSP refusal) shows up in chromium's log."""
    page = tmp_path / "bad.html"
    page.write_text(f'<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="{CSP}">'
                    '<img src="http://127.0.0.1:9/x.png"><p>x</p>', encoding="utf-8")
    messages = console(chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert len(messages) == 1 and re.search(r"Content Security Policy", messages[0])
