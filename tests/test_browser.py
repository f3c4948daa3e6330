"""Open a generated batch in headless Chromium: no script errors, images load, no input markup runs.

How: for each page a copy is made with a small check injected (a first script that records
errors and turns alert/confirm/prompt into a flag, a last one that, on load, writes what it
found into the page as JSON); ``chromium --headless --dump-dom`` loads the copy from disk and
prints the DOM, from which the JSON is read.  The hostile fixture carries a unit named
``<script>alert(1)</script>局`` and a project ``<img src=x onerror="window.__pwned=1">项目``:
if either ran, the flag would be set.  A control page with the same markup unescaped shows
that the check does catch it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape as html_unescape
from pathlib import Path

import pytest

from analysis.reports import batch

from seedkit import HOSTILE_PROJECT, HOSTILE_UNITS, UNITS, make_processed

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (bash scripts/setup-system.sh installs it)"),
]

PRELUDE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__errors.push(t && t !== window && t.tagName ? "failed to load " + t.tagName + " " + (t.src || t.href) : String(e.message));
}, true);
window.alert = window.confirm = window.prompt = function () { window.__pwned = "dialog"; };
</script>"""

POSTLUDE = """<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var handlers = 0;
  document.querySelectorAll("*").forEach(function (el) {
    for (var i = 0; i < el.attributes.length; i++) { if (/^on/i.test(el.attributes[i].name)) handlers++; }
  });
  var local = Array.prototype.slice.call(document.querySelectorAll('a[href^="#"]'));
  var visible = function (el) { return el.offsetParent !== null; };
  var orders = Array.prototype.slice.call(document.querySelectorAll(".order")).filter(visible);
  var r = {
    errors: window.__errors, pwned: window.__pwned || 0, images: imgs.length,
    broken: imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length,
    no_alt: imgs.filter(function (i) { return !i.alt || /No description/.test(i.alt); }).length,
    scripts: document.scripts.length - 2, handlers: handlers, text: document.body.innerText.length,
    dangling: local.filter(function (a) { return !document.getElementById(a.getAttribute("href").slice(1)); })
                   .map(function (a) { return a.getAttribute("href"); }),
    toc: document.querySelectorAll("nav.toc a").length,
    headline: (function () {
      var h = document.querySelector("section.headline");
      if (!h) { return null; }
      var img = document.images[0];
      return { flags: h.querySelectorAll("ul.flags a").length, top: Math.round(h.getBoundingClientRect().top),
               before_charts: !img || !!(h.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING) };
    })(),
    links: Array.prototype.slice.call(document.querySelectorAll("a[href]")).map(function (a) { return a.getAttribute("href"); }),
    orders: orders.map(function (o) { return o.id; }),
    first_rows: orders.map(function (o) {
      return Array.prototype.slice.call(o.querySelectorAll("tbody tr")).map(function (tr) {
        return [tr.cells[0].innerText, tr.cells[2].innerText, tr.cells[3].innerText]; });
    }),
    text_align: Array.prototype.slice.call(document.querySelectorAll("table.analysis-table tbody tr:first-child td"))
                  .map(function (td) { return (td.classList.contains("num") ? "num:" : "text:") + getComputedStyle(td).textAlign; })
  };
  var pre = document.createElement("pre");
  pre.id = "__result";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
</script>"""


def inspect(page: Path, profile: Path, fragment: str = "") -> dict:
    """Load ``page`` (a copy with the checks injected) in headless Chromium; return what the checks found."""
    html = page.read_text(encoding="utf-8")
    html = re.sub(r"<head[^>]*>", lambda m: m.group(0) + PRELUDE, html, count=1)
    html = html.replace("</body>", POSTLUDE + "</body>")
    probe = page.with_name(f"__probe_{page.name}")
    probe.write_text(html, encoding="utf-8")
    try:
        proc = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                probe.as_uri() + fragment,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        probe.unlink()
    found = re.search(r'<pre id="__result">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"no result from chromium (rc {proc.returncode}): {proc.stderr[-1500:]}"
    return json.loads(html_unescape(found.group(1)))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    processed = make_processed(base / "processed", hostile=True, synthetic=True)
    out = base / "reports"
    results = batch.run_batch(processed, out, jobs=2, quiet=True)  # every unit, year and the overview
    assert {r.status for r in results} == {"rendered"}, [r.error for r in results]
    return out, base / "profile"


def test_index_opens_cleanly(rendered):
    out, profile = rendered
    r = inspect(out / "index.html", profile)
    assert r["errors"] == [] and r["pwned"] == 0
    assert r["scripts"] == 0 and r["handlers"] == 0
    assert r["text"] > 200


def test_unit_report_of_a_hostile_name_shows_charts_and_runs_nothing(rendered):
    out, profile = rendered
    page = out / "units" / f"{batch.safe_name(HOSTILE_UNITS[0])}.html"
    r = inspect(page, profile)
    assert r["errors"] == [], r["errors"]
    assert r["pwned"] == 0
    assert r["scripts"] == 0 and r["handlers"] == 0
    assert r["images"] >= 5 and r["broken"] == 0


def test_year_report_shows_charts(rendered):
    out, profile = rendered
    r = inspect(out / "years" / "2021.html", profile)
    assert r["errors"] == [] and r["pwned"] == 0
    assert r["images"] >= 5 and r["broken"] == 0


def test_index_sorts_without_a_script(rendered):
    from analysis.reports.show import sort_names

    out, profile = rendered
    by_name = inspect(out / "index.html", profile)
    assert by_name["orders"] == ["by-name"] and by_name["dangling"] == []
    units = [r[0] for r in by_name["first_rows"][0]]
    assert units == sort_names(units) and len(units) == 5

    def number(text):
        return float(text.replace(",", "").replace("万元", "").replace("%", ""))

    by_budget = inspect(out / "index.html", profile, "#by-budget")
    assert by_budget["orders"] == ["by-budget"] and sorted(r[0] for r in by_budget["first_rows"][0]) == sorted(units)
    budgets = [number(r[1]) for r in by_budget["first_rows"][0]]
    assert budgets == sorted(budgets, reverse=True)
    by_rate = inspect(out / "index.html", profile, "#by-rate")
    assert by_rate["orders"] == ["by-rate"]
    rates = [number(r[2]) for r in by_rate["first_rows"][0]]
    assert rates == sorted(rates) and rates != [number(r[2]) for r in by_name["first_rows"][0]]
    assert "overview/all-years.html" in by_name["links"]


def test_report_pages_navigate_and_align(rendered):
    out, profile = rendered
    unit = inspect(out / "units" / f"{batch.safe_name(HOSTILE_UNITS[0])}.html", profile)
    year = inspect(out / "years" / "2021.html", profile)
    overview = inspect(out / "overview" / "all-years.html", profile)
    for r in (unit, year, overview):
        assert r["errors"] == [] and r["pwned"] == 0 and r["scripts"] == 0
        assert r["toc"] >= 5 and r["dangling"] == []  # the table of contents and the flags lead somewhere
        # the first screen: the headline figures and flags before any chart, near the top of the page
        assert r["headline"] and r["headline"]["before_charts"] and r["headline"]["top"] < 1000, r["headline"]
        assert "../index.html" in r["links"] and r["no_alt"] == 0 and r["broken"] == 0
        assert r["text_align"] and all(a in ("num:right", "text:left") for a in r["text_align"]), r["text_align"]
    assert year["headline"]["flags"] >= 1 and overview["headline"]["flags"] >= 1
    # a year report links every unit's report, the overview every year's
    assert {f"../units/{batch.safe_name(u)}.html" for u in UNITS + HOSTILE_UNITS} <= set(year["links"])
    assert {f"../years/{y}.html" for y in (2019, 2020, 2021)} <= set(overview["links"])
    for r, page in ((year, out / "years" / "2021.html"), (overview, out / "overview" / "all-years.html")):
        for href in r["links"]:
            if href.startswith("../"):
                assert (page.parent / href).resolve().is_file(), href


def test_the_check_catches_markup_that_runs(tmp_path):
    page = tmp_path / "control.html"
    page.write_text(
        f"<html><head></head><body><p>{HOSTILE_UNITS[0]}</p><p>{HOSTILE_PROJECT}</p></body></html>", encoding="utf-8"
    )
    r = inspect(page, tmp_path / "profile")
    assert r["pwned"] != 0
    assert r["broken"] == 1 and r["handlers"] == 1


PDFTOTEXT = shutil.which("pdftotext")


def _pages_of_print(html: str, tmp_path: Path) -> list[str]:
    """``html`` printed by Chromium (A4, the page's own print CSS), as the text of each page."""
    page = tmp_path / "print.html"
    page.write_text(html, encoding="utf-8")
    pdf = tmp_path / "print.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert pdf.is_file() and pdf.stat().st_size > 0
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def test_print_keeps_a_heading_and_its_lead_with_the_table(rendered, tmp_path):
    """The overview's 数据问题 section (heading, introduction, the sentence counting the problems,
    the table), printed after blank space of many heights, so that it meets the end of a page at
    every point: the heading never ends a page without the table under it."""
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from analysis.reports.show import PROBLEMS_HEADING, heading_anchor

    out, _ = rendered
    html = (out / "overview" / "all-years.html").read_text(encoding="utf-8")
    head, body = html.split("<main>", 1)
    at = body.index(f'id="{heading_anchor(PROBLEMS_HEADING)}"')
    start = body.rindex('<div class="jp-Cell jp-MarkdownCell', 0, at)
    section = body[start : body.index("</main>")]
    code = re.search(r'col-code_meaning">([^<]+)<', section).group(1)  # the table's first row, checked below
    copies = "".join(
        f'<div style="break-before: page"><div style="height: {mm}mm"></div>{section}</div>'
        for mm in range(196, 266, 3)
    )
    pages = _pages_of_print(f"{head}<main>{copies}</main></body></html>", tmp_path)
    with_heading = [p for p in pages if re.search(rf"^\s*{PROBLEMS_HEADING}\s*$", p, re.M)]
    assert len(with_heading) == len(range(196, 266, 3))
    alone = [p.strip()[-80:] for p in with_heading if code not in p]
    assert alone == [], alone
