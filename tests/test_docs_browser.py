"""The docs site in a real browser: Playwright driving Debian's chromium, headless.

The site (with verdicts, a highlighted counterexample and a simulation report) is served
on 127.0.0.1 and every page reachable from the index is opened: no console errors, every
internal link (and its #fragment) resolves, the diagram SVGs are drawn, and the Japanese
text of the articles is on the page. Without a browser the test is skipped, except in CI
(env CI set), where it fails: the set-up (scripts/setup.sh --test) installs chromium.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

from yakkan.diagrams import build_site, load_simulate_report, load_verify_results
from yakkan.model.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts/clara-msp/spec.yaml"
EXAMPLE = ROOT / "scenarios/issue-example.yaml"
CHROMIUM = os.environ.get("YAKKAN_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
TEXT_7_2 = "契約者は、前項に定める最低利用期間内に本利用契約を解約することはできません。"


def _no_browser(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason} (run scripts/setup.sh --test)")
    pytest.skip(f"browser test skipped: {reason} (install chromium: scripts/setup.sh --test)")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _no_browser("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        _no_browser(f"{CHROMIUM} not found")
    if shutil.which("dot") is None:
        _no_browser("Graphviz's dot is not installed")
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        except Error as exc:
            _no_browser(f"chromium did not start: {str(exc).splitlines()[0]}")
        yield b
        b.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The site with results, served on a free port of 127.0.0.1: its base URL."""
    base = tmp_path_factory.mktemp("served")
    (base / "verify").mkdir()
    shutil.copyfile(EXAMPLE, base / "verify" / "P03.yaml")
    (base / "verify/results.json").write_text(json.dumps({"ok": False, "properties": [
        {"id": "P03", "verdict": "violated", "expected": "holds", "matches": False,
         "counterexample": "P03.yaml"},
        {"id": "P05", "verdict": "proved", "expected": "holds", "matches": True},
    ]}), encoding="utf-8")  # fmt: skip
    (base / "simulate").mkdir()
    (base / "simulate/report.json").write_text(json.dumps({
        "customers": 2, "months": 3, "seed": 0, "customer_months": 6, "engine": "fast", "violations": [],
        "ended_by": {"cancelled": 1}, "state_months": {"active": 6},
        "money": {"charged": 1, "paid": 1, "late_charges": 0, "penalties": 0, "outstanding": 0}}))
    (base / "simulate/states.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>')
    site = base / "docs"
    build_site(load_spec(SPEC), site, verify_results=load_verify_results(None, near=site),
               simulate_report=load_simulate_report(None, near=site))  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _crawl(browser, start: str) -> dict[str, dict]:
    """Open every HTML page reachable from `start`; check every internal link on the way."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    host = urlparse(start).netloc
    seen: dict[str, dict] = {}
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []
    assets: dict[str, str] = {}
    todo = [start]
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: HTTP {response.status if response else '?'}"
        page.wait_for_load_state("networkidle")
        info = page.evaluate("""() => ({
            links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            ids: [...document.querySelectorAll('[id]')].map(e => e.id),
            text: document.body.innerText,
            images: [...document.images].map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0})),
            objects: [...document.querySelectorAll('object')].map(o => ({src: o.data,
                ok: !!(o.contentDocument && o.contentDocument.documentElement.getBBox().width > 0)})),
        })""")
        seen[url] = info
        ids[url] = set(info["ids"])
        for img in info["images"] + info["objects"]:
            assert img["ok"], f"{url}: image not drawn: {img['src']}"
        for link in info["links"]:
            target, frag = urldefrag(link)
            if urlparse(target).netloc != host:
                continue
            if target.endswith(".html") or target.endswith("/"):
                if frag:
                    fragments.append((url, target, frag))
                if target not in seen:
                    todo.append(target)
            else:
                assets[target] = url
    for target, source in sorted(assets.items()):
        r = page.request.get(target)
        assert r.ok, f"{source} links to {target}: HTTP {r.status}"
    for source, target, frag in fragments:
        assert frag in ids.get(target, set()), f"{source} links to {target}#{frag}: no such id"
    page.close()
    assert not problems, "\n".join(problems)
    return seen


def test_the_site_in_chromium(browser, served):
    pages = _crawl(browser, served + "index.html")
    names = {urlparse(u).path for u in pages}
    for lang in ("ja", "en"):
        for page in ("index", "terms", "states", "events", "transitions", "interpretations",
                     "properties", "coverage", "simulation"):  # fmt: skip
            assert f"/{lang}/{page}.html" in names
    assert TEXT_7_2 in pages[served + "ja/terms.html"]["text"]
    assert TEXT_7_2 in pages[served + "en/terms.html"]["text"]
    overview = pages[served + "ja/index.html"]
    assert any(i["src"].endswith("/assets/lifecycle.ja.svg") and i["ok"] for i in overview["objects"])
    properties = pages[served + "en/properties.html"]
    assert any(i["src"].endswith("/assets/paths/P03.en.svg") and i["ok"] for i in properties["objects"])
    assert "not yet verified" in properties["text"] and "proved" in properties["text"]


def test_diagram_svg_is_japanese_and_drawn(browser, served):
    page = browser.new_page()
    page.goto(served + "assets/lifecycle.ja.svg")
    text = page.evaluate("() => document.documentElement.textContent")
    box = page.evaluate("() => { const b = document.documentElement.getBBox(); return [b.width, b.height]; }")
    page.close()
    assert "契約期間中" in text and "提供開始" in text
    assert box[0] > 400 and box[1] > 400


def test_search_finds_articles_and_elements_in_the_page(browser, served):
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(served + "ja/index.html")
    page.fill("#search-q", "保証金 返還")
    hits = page.evaluate("() => [...document.querySelectorAll('#search-hits a')].map(a => a.getAttribute('href'))")
    box = page.evaluate("() => { const r = document.getElementById('search-hits').getBoundingClientRect();"
                        " return [r.left, r.right, window.innerWidth]; }")
    page.fill("#search-q", "存在しない語句ｘｙｚ")
    none = page.evaluate("() => document.getElementById('search-hits').innerText")
    page.close()
    assert "properties.html#P07" in hits and "events.html#e-return_deposit" in hits and "terms.html#c11-4" in hits
    assert box[0] >= 0 and box[1] <= box[2]  # the list stays on the screen
    assert none == "該当なし"


# The text box of every node and edge group as the browser draws it (`inset`: shrunk on
# each side, so a line that only grazes a label does not count), shared by the checks below.
LABEL_BOXES_JS = """
const labelBoxes = (idOf, inset) => {
  const boxes = [];
  for (const g of document.querySelectorAll('g.node, g.edge')) {
    let x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (const t of g.querySelectorAll('text')) {
      const b = t.getBBox();
      if (!b.width) continue;
      x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y);
      x1 = Math.max(x1, b.x + b.width); y1 = Math.max(y1, b.y + b.height);
    }
    if (x1 > x0) boxes.push({id: idOf(g.id), box: [x0 + inset, y0 + inset, x1 - inset, y1 - inset]});
  }
  return boxes;
};
"""

OVERLAPS_JS = """() => {""" + LABEL_BOXES_JS + """
  const boxes = labelBoxes(id => id, 0);
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i].box, b = boxes[j].box;
    const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]), h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
    if (w > 1 && h > 1) out.push([boxes[i].id, boxes[j].id, Math.round(w), Math.round(h)]);
  }
  return out;
}"""


CROSSINGS_JS = """() => {""" + LABEL_BOXES_JS + """
  const own = id => id.replace(/-(in|out)$/, '');  // the halves of a line drawn through its label node
  const boxes = labelBoxes(own, 1);
  const out = new Set();
  for (const g of document.querySelectorAll('g.edge')) {
    for (const p of g.querySelectorAll('path')) {
      for (let s = 0, n = p.getTotalLength(); s <= n; s += 1) {
        const pt = p.getPointAtLength(s);
        for (const {id, box} of boxes) {
          if (id !== own(g.id) && pt.x > box[0] && pt.x < box[2] && pt.y > box[1] && pt.y < box[3])
            out.add(own(g.id) + ' -> ' + id);
        }
      }
    }
  }
  return [...out].sort();
}"""


LINES_JS = """() => {
  // two lines of text (any labels) whose boxes overlap by more than 2 units: Noto CJK's line box is
  // 1.45 em, so lines a full pitch apart overlap by under 2, lines set one point size apart by 4.3
  const ts = [...document.querySelectorAll('g.node text, g.edge text')].map(t => [t.getBBox(), t.textContent]);
  const out = [];
  for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) {
    const a = ts[i][0], b = ts[j][0];
    const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
    const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
    if (w > 1 && h > 2) out.push([ts[i][1], ts[j][1]]);
  }
  return out;
}"""


def test_diagram_labels_never_overlap_and_link_to_their_articles(browser, served):
    page = browser.new_page()
    for svg in ("assets/lifecycle.ja.svg", "assets/lifecycle.en.svg", "assets/paths/P03.ja.svg"):
        page.goto(served + svg)
        assert page.evaluate(OVERLAPS_JS) == [], svg  # the text boxes as the browser draws them
        assert page.evaluate(CROSSINGS_JS) == [], svg  # no line through another's text, as drawn
        assert page.evaluate(LINES_JS) == [], svg  # the lines of a label do not touch
    page.goto(served + "ja/index.html")
    page.wait_for_load_state("load")
    frame = next(f for f in page.frames if f.url.endswith("/assets/lifecycle.ja.svg"))  # the <object>
    link = frame.locator("#state_active a").first
    assert link.get_attribute("xlink:href") == "../ja/terms.html#c9-1"
    link.click()
    page.wait_for_url("**/ja/terms.html#c9-1")
    assert page.evaluate("() => !!document.getElementById('c9-1')")
    page.close()


HEADER_AND_TARGET_JS = """id => {
  const h = document.querySelector('header.site');
  const sticky = getComputedStyle(h).position === 'sticky';
  return [sticky ? h.getBoundingClientRect().bottom : 0, document.getElementById(id).getBoundingClientRect().top];
}"""


@pytest.mark.parametrize("width", [1600, 1280, 390])
def test_a_link_to_a_heading_shows_the_heading_and_no_page_scrolls_sideways(browser, served, width):
    """Issue 13 audit, from screenshots: the sticky header (two to four rows below 1,550 px)
    covered the heading that a link, a search hit or a diagram jumps to, and the plots
    overflowed a phone's width. The header now stays on screen only where it is one row."""
    page = browser.new_page(viewport={"width": width, "height": 844})
    for url, target in (("ja/properties.html#P05", "P05"), ("ja/terms.html#c7-2", "c7-2"),
                        ("en/properties.html#P03", "P03")):  # fmt: skip
        page.goto(served + url)
        header, top = page.evaluate(HEADER_AND_TARGET_JS, target)
        assert top >= header, (url, width, top, header)
    for lang in ("ja", "en"):
        for name in ("index", "terms", "properties", "simulation", "transitions"):
            page.goto(served + f"{lang}/{name}.html")
            sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert sizes[0] <= sizes[1], (lang, name, width, sizes)
    page.close()
